// `curvekeep audit list` and `curvekeep audit verify`: the hash-chained, sealed audit log.
import type { Command } from 'commander';
import { action, table, UsageError } from '../runner.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the append-only audit log of every key event');

  audit
    .command('list')
    .description('the log, oldest first (the last N with --limit)')
    .option('--limit <n>', 'only the last N entries')
    .action(
      action(async (ctx, opts: { limit?: string }) => {
        let limit: number | null = null;
        if (opts.limit !== undefined) {
          if (!/^\d+$/.test(opts.limit) || Number(opts.limit) < 1) throw new UsageError(`--limit takes a whole number from 1, got ${JSON.stringify(opts.limit)}`);
          limit = Number(opts.limit);
        }
        const all = await ctx.workspace().store.auditEntries();
        const entries = limit === null ? all : all.slice(-limit);
        const rows = [['SEQ', 'AT', 'ACTION', 'SUBJECT', 'DETAILS']];
        for (const e of entries) {
          const details = Object.entries(e.details ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
          rows.push([String(e.seq), e.at, e.action, e.subject, details]);
        }
        return { json: entries, text: entries.length ? table(rows) : 'the audit log is empty' };
      }),
    );

  audit
    .command('verify')
    .description('check the chain and seal of every entry; exit 1 naming the first broken one')
    .action(
      action(async (ctx) => {
        const verdict = await ctx.workspace().store.verifyAudit();
        if (verdict.ok) return { json: verdict, text: `audit log intact: ${verdict.entries} entries, chain and seals verified` };
        const b = verdict.broken!;
        const which = b.seq !== null ? `entry ${b.seq} (line ${b.position})` : `line ${b.position}`;
        return { json: verdict, text: `audit log BROKEN at ${which}: ${b.reason}`, exitCode: 1 };
      }),
    );
}
