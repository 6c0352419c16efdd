// The store side of the team workspace on the command line: `workspace import` (a local data
// folder's public data and history into a workspace; secrets stay in this keychain) and
// `status --watch` (the overview printed again whenever the fleet changes).
import type { Command } from 'commander';
import type { StatusReport } from '../../core/usecases/status.js';
import type { Workspace } from '../../core/workspace.js';
import { action, type CommandContext, type Outcome, UsageError } from '../runner.js';

const WATCH_TIMEOUT_MS = 30_000;

/** Prints the overview, then again after every change, until SIGINT/SIGTERM. */
export async function watchStatus(
  ctx: CommandContext,
  overview: (ws: Workspace) => Promise<StatusReport>,
  describe: (report: StatusReport) => string,
): Promise<Outcome> {
  const ws = ctx.workspace();
  // The workspace's feed: LISTEN for a team workspace, the data folder's watch for the local one.
  const feed = ws.changes;
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const print = (report: StatusReport | null, note: string) => {
    if (ctx.options.json) process.stdout.write(`${JSON.stringify(report ?? { ok: false, note })}\n`);
    else process.stdout.write(`${note ? `${note}\n` : ''}${report ? describe(report) : ''}\n\n`);
  };
  let seen: number | null = null;
  try {
    while (!stop.signal.aborted) {
      try {
        const { revision } = await ws.store.read();
        seen = revision;
        print(await overview(ws), `-- ${new Date().toISOString()} revision ${revision}`);
      } catch (error) {
        // The store unreachable: say so and keep waiting (the feed retries), never a busy loop.
        print(null, `-- ${new Date().toISOString()} ${(error as Error).message}`);
      }
      for (;;) {
        const next = await feed.wait(seen, WATCH_TIMEOUT_MS, stop.signal);
        if (stop.signal.aborted || next !== seen || (feed as { reachable?: boolean | null }).reachable === false) break;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await feed.close();
  }
  // Everything was printed while watching.
  return { json: undefined, text: '', exitCode: 0 };
}

export function registerWorkspaceStore(workspace: Command): void {
  workspace
    .command('import')
    .description('copy this data folder\'s public data and audit history into the workspace (--store); secrets stay in this keychain')
    .option('--from <dir>', 'the data folder to import (default: --home / $CURVEKEEP_HOME)')
    .option('--into-non-empty', 'import into a workspace that already holds keys, peers or devices (rows whose id is already there are skipped and counted)')
    .action(
      action(async (ctx, opts: { from?: string; intoNonEmpty?: boolean }) => {
        const ws = ctx.workspace();
        const { teamStoreOf, createWorkspace } = await import('../../core/workspace.js');
        const team = teamStoreOf(ws);
        if (!team) throw new UsageError('workspace import needs the workspace to import into: --store postgres://... or CURVEKEEP_STORE');
        const { importIntoWorkspace } = await import('../../core/team/import.js');
        const local = createWorkspace(opts.from ?? ctx.options.home, ws.secrets);
        const result = await importIntoWorkspace(local, ws, { intoNonEmpty: Boolean(opts.intoNonEmpty) });
        const text = `imported into ${team.where}: ${result.identities} keys, ${result.peers} peers, ${result.devices} devices, ${result.batches} batches, ${result.pinSets} pin sets, ${result.backupKeys} backup keys; ${result.auditEntries} audit entries carried as history; ${result.skipped} already there, skipped. Secrets stayed in ${ws.secrets.description}`;
        return { json: result, text };
      }),
    );
}
