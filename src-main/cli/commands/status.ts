// `curvekeep status [--check]`: the overview a person opens first. Calls the status use case
// (core/usecases/status.ts) and words each item, its next action as a command line. `--check`
// exits 1 when any item is at error severity (for cron and monitoring); without it, exit 0.
import type { Command } from 'commander';
import type { StatusItem, StatusNext, StatusReport } from '../../core/usecases/status.js';
import { describeFinding } from './doctor.js';
import { rotationCommand } from './rotation.js';
import { action } from '../runner.js';

/** The next action as the command line that takes it (names are shell-safe: names.ts). */
export function statusCommand(next: Readonly<StatusNext>, item?: Readonly<StatusItem>): string {
  switch (next.action) {
    case 'rotate':
      return `curvekeep rotate ${next.identity} --stage`;
    case 'rotation-step':
      return rotationCommand({ action: next.step, identity: next.identity });
    case 'verify-peer':
      return `curvekeep peers verify ${next.peer} --code "DIGITS READ OUT BY THE OTHER SIDE"`;
    case 'test-peer': {
      const endpoint = typeof item?.facts.endpoint === 'string' ? item.facts.endpoint : 'ENDPOINT';
      return `curvekeep test ${endpoint} --peer ${next.peer}`;
    }
    case 'renew-pin-set':
      return `curvekeep pins set ${next.host} --pin PIN --backup-pin PIN --expires YYYY-MM-DD`;
    case 'add-backup-pin':
      return `curvekeep pins backup-key ${next.host}  (then: curvekeep pins set ${next.host} --pin PIN --backup-pin THE-NEW-PIN)`;
    case 'check-pins': {
      const host = next.endpoint.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
      return `curvekeep pins check ${next.endpoint}${host === next.host ? '' : ` --servername ${next.host}`}  (after renewing the certificate)`;
    }
    case 'retry-batch': {
      const csv = item?.subject.csvName ?? 'CSV';
      const server = item?.subject.serverName ?? item?.subject.server ?? 'SERVER';
      const out = typeof item?.facts.outDir === 'string' ? item.facts.outDir : 'DIR';
      return `curvekeep provision --csv ${csv} --server ${server} --out ${out}  (fix the failed rows first; done devices are skipped)`;
    }
    case 'repair-store':
      return 'curvekeep doctor --repair --yes';
    case 'see-doctor':
      return 'curvekeep doctor';
  }
}

function subjectOf(item: Readonly<StatusItem>): string {
  const s = item.subject;
  return s.name ?? s.host ?? s.id ?? s.code ?? '';
}

/** One line for a terminal: what, about whom, and the key fact. */
export function describeItem(item: Readonly<StatusItem>): string {
  const f = item.facts;
  const who = subjectOf(item);
  switch (item.kind) {
    case 'key-overdue':
      return `key ${who} (${item.subject.role}) is overdue for rotation since ${String(f.dueAt).slice(0, 10)}`;
    case 'key-due':
      return `key ${who} (${item.subject.role}) is due for rotation on ${String(f.dueAt).slice(0, 10)} (${f.daysLeft} days)`;
    case 'rotation-in-progress':
      return `rotation of ${who} is under way: ${f.stage}${f.graceUntil ? ` (grace until ${String(f.graceUntil).slice(0, 10)})` : ''}`;
    case 'peer-unverified':
      return `peer ${who} was never verified (safety code not compared)`;
    case 'peer-mismatch':
      return `peer ${who}: the safety code read out did NOT match its key; do not trust it`;
    case 'peer-test-failed':
      return `peer ${who}: the last link test failed (${f.verdict}${f.endpoint ? ` at ${f.endpoint}` : ''})`;
    case 'pin-set-expired':
      return `pin set ${who} expired on ${f.expires}`;
    case 'pin-set-expiring':
      return `pin set ${who} expires on ${f.expires} (${f.daysLeft} days)`;
    case 'pin-set-no-backup':
      return `pin set ${who} has no backup pin (clients break at the next key change)`;
    case 'pinned-cert-expiring':
      return `pinned host ${who}: its certificate expires on ${String(f.notAfter).slice(0, 10)} (${f.daysLeft} days; last checked ${String(f.at).slice(0, 10)})`;
    case 'pinned-cert-expired':
      return `pinned host ${who}: its certificate expired on ${String(f.notAfter).slice(0, 10)} (last checked ${String(f.at).slice(0, 10)})`;
    case 'batch-failed-rows':
      return `provisioning batch ${who}${item.subject.csvName ? ` (${item.subject.csvName})` : ''}: ${f.failed} row(s) failed`;
    case 'doctor': {
      const { repairable, ...fields } = f;
      const finding = { code: item.subject.code, severity: item.severity, repairable: Boolean(repairable), fields } as Parameters<typeof describeFinding>[0];
      return `doctor: ${describeFinding(finding)}`;
    }
  }
}

export function describeStatus(report: Readonly<StatusReport>): string {
  const c = report.counts;
  const lines = [`${c.keys} key(s), ${c.peers} peer(s), ${c.devices} device(s), ${c.batches} batch(es), ${c.pinSets} pin set(s)`];
  if (report.items.length === 0) lines.push('nothing needs attention');
  for (const item of report.items) {
    lines.push(`${item.severity}: ${describeItem(item)}`);
    if (item.next && item.next.action !== 'see-doctor') lines.push(`  next: ${statusCommand(item.next, item)}`);
  }
  const s = report.summary;
  if (report.items.length > 0) lines.push(`${s.error} error(s), ${s.warning} warning(s), ${s.info} info`);
  return lines.join('\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('the overview: keys due, rotations under way, peers, pin sets, batches, doctor; --check exits 1 on an error')
    .option('--check', 'exit 1 when any item is at error severity')
    .option('--watch', 'print it again whenever the fleet changes (a colleague in the team workspace, another process); Ctrl-C ends')
    .action(
      action(async (ctx, opts: { check?: boolean; watch?: boolean }) => {
        const { statusOverview } = await import('../../core/usecases/status.js');
        if (opts.watch) return (await import('./workspace-store.js')).watchStatus(ctx, statusOverview, describeStatus);
        const report = await statusOverview(ctx.workspace());
        const failed = Boolean(opts.check) && report.summary.error > 0;
        return { json: report, text: describeStatus(report), exitCode: failed ? 1 : 0 };
      }, { readsStore: true }),
    );
}
