// `curvekeep store ...`: the sealed metadata document.
import type { Command } from 'commander';
import { action } from '../runner.js';

export function registerStore(program: Command): void {
  const store = program.command('store').description('the data folder\'s sealed metadata document');
  store
    .command('reseal')
    .description('after reviewing an edit made outside Curvekeep, accept it and seal the document again (logged)')
    .action(
      action(async (ctx) => {
        const result = await ctx.workspace().store.reseal();
        const text = result.wasTampered ? `accepted the outside edit; sealed again (revision ${result.revision})` : `the document was intact; sealed again (revision ${result.revision})`;
        return { json: result, text };
      }),
    );
  store
    .command('path')
    .description('where the data folder is')
    .action(action(async (ctx) => ({ json: { home: ctx.options.home }, text: ctx.options.home })));
}
