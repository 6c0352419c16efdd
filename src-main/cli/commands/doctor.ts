// `curvekeep doctor [--repair --yes]`: checks the data folder and the keychain against each other
// and words what it finds; exit 0 when all is consistent, 1 when something needs attention.
import type { Command } from 'commander';
import type { Finding } from '../../core/usecases/doctor.js';
import { action, UsageError } from '../runner.js';

/** One line per finding, with the command that helps where there is one. */
export function describeFinding(f: Finding): string {
  const v = f.fields;
  switch (f.code) {
    case 'journal-pending':
      return `an interrupted write is waiting in curvekeep.journal (${v.committed ? 'committed: it will be completed' : 'not committed: it will be undone'}); run \`curvekeep doctor --repair --yes\`, or any command finishes it`;
    case 'lock-stale':
      return `a stale lock file is left in the data folder (${v.reason === 'reused-pid' ? 'its process id now belongs to another process' : v.reason === 'dead' ? 'its process is gone' : 'it is empty or unreadable'}); run \`curvekeep doctor --repair --yes\``;
    case 'lock-leftover':
      return `a lock owner file of a process that is gone is left in the data folder (${v.file}); run \`curvekeep doctor --repair --yes\``;
    case 'store-tampered':
      return 'the document was changed outside Curvekeep; review it, then run `curvekeep store reseal`';
    case 'store-rolled-back':
      return `the document was rolled back (revision ${v.revision}, the keychain holds the seal of revision ${v.sealedRevision}); review it, then run \`curvekeep store reseal\`, or put the newest copy back`;
    case 'store-missing':
      return 'the document is missing although this keychain holds its seal; put it back from a backup, or run `curvekeep store reseal` to start again with an empty one';
    case 'store-corrupt':
      return 'the document is not a valid Curvekeep data file; inspect curvekeep.json.bak and copy it back by hand';
    case 'store-unreadable':
      return 'the document cannot be read';
    case 'audit-broken':
      return `the audit log is broken at ${v.seq !== null ? `entry ${v.seq}` : `position ${v.position}`}: ${v.reason}`;
    case 'audit-key-missing':
      return `the audit seal key is missing from the keychain, so the ${v.entries} entries of the audit log cannot be verified; restore the keychain item from a backup of the keychain`;
    case 'orphan-secret':
      return v.sharedService
        ? `keychain item ${v.account} belongs to nothing in this data folder, but other data folders share this keychain service and it may be theirs; it is left alone (give each data folder its own service with CURVEKEEP_KEYCHAIN_SERVICE)`
        : `keychain item ${v.account} belongs to nothing in the store (left by an interrupted write); run \`curvekeep doctor --repair --yes\` to remove it`;
    case 'secret-missing':
      return v.kind === 'identity'
        ? `the secret key of ${v.role} ${v.name} (generation ${v.generation}) is missing from the keychain; restore it, or stage a rotation (\`curvekeep rotate ${v.name} --stage\`) and hand out the new key`
        : `the private key of backup key ${v.id} for ${v.host} is missing from the keychain; make a new one (\`curvekeep pins backup-key ${v.host}\`) before the next renewal`;
  }
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the data folder and the keychain against each other; --repair --yes fixes what is safe (logged)')
    .option('--repair', 'remove orphan keychain items and a stale lock, finish an interrupted write')
    .option('--yes', 'confirm --repair')
    .action(
      action(async (ctx, opts: { repair?: boolean; yes?: boolean }) => {
        if (opts.repair && !opts.yes) throw new UsageError('--repair deletes keychain items that belong to nothing; repeat with --yes to confirm');
        if (opts.yes && !opts.repair) throw new UsageError('--yes confirms --repair; add --repair');
        const { runDoctor } = await import('../../core/usecases/doctor.js');
        const report = await runDoctor(ctx.workspace(), { repair: Boolean(opts.repair) });
        const lines: string[] = [];
        for (const f of report.repaired) lines.push(`repaired: ${describeFinding(f).split(';')[0]}`);
        for (const f of report.remaining) lines.push(`${f.severity}: ${describeFinding(f)}`);
        if (report.repaired.length > 0) lines.push(report.logged ? 'the repairs are recorded in the audit log' : 'the repairs could not be recorded in the audit log (the store cannot be written)');
        if (report.ok) lines.push('all consistent: document, seal, sealed revision, audit log, lock, journal and keychain');
        return {
          json: { ok: report.ok, findings: report.findings, repaired: report.repaired, remaining: report.remaining, logged: report.logged },
          text: lines.join('\n'),
          exitCode: report.ok ? 0 : 1,
        };
      }),
    );
}
