// `curvekeep store ...`: the sealed metadata document.
import type { Command } from 'commander';
import { action } from '../runner.js';

export function registerStore(program: Command): void {
  const store = program.command('store').description('the data folder\'s sealed metadata document');
  store
    .command('reseal')
    .description('after reviewing an edit made outside Curvekeep, an older copy put back or a missing document, accept it and seal again (logged)')
    .action(
      action(async (ctx) => {
        const { localStoreOf } = await import('../../core/workspace.js');
        const result = await localStoreOf(ctx.workspace(), 'store reseal').reseal();
        const what = result.missing
          ? 'the document was missing: started again with an empty one'
          : result.rolledBack
            ? 'accepted the rolled-back document'
            : result.wasTampered
              ? 'accepted the outside edit'
              : 'the document was intact';
        const text = `${what}; sealed again (revision ${result.revision}, logged in the audit log)`;
        return { json: result, text };
      }),
    );
  store
    .command('path')
    .description('where the data folder is')
    .action(action(async (ctx) => ({ json: { home: ctx.options.home }, text: ctx.options.home })));
}
