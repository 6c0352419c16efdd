// `curvekeep rotate ...` (the staged rotation of ARCHITECTURE.md section 5, due keys for cron,
// pin set rotation) and `curvekeep schedule` (due dates, an iCalendar file). Each step parses its
// flags, calls the rotation use case (core/usecases/rotation.ts) and words the result: next steps
// and refusals come as data and become command lines here.
import { type Command, Option } from 'commander';
import { DUE_SOON_DAYS, type RotationNextStep } from '../../common/rotation.js';
import { RefusedError } from '../../core/errors.js';
import type { DueItem, RotationStatus, ScheduleItem } from '../../core/usecases/rotation.js';
import { type Outcome, action, table, UsageError } from '../runner.js';

interface RotateOptions {
  stage?: boolean;
  test?: string | true;
  serverKey?: string;
  peer?: string;
  as?: string;
  oneTimeKey?: boolean;
  socketType?: string;
  timeout?: string;
  promote?: boolean;
  force?: boolean;
  grace?: string;
  rollback?: boolean;
  finish?: boolean;
  revoke?: string;
  distribute?: boolean;
  out?: string;
  format: 'zcert' | 'pyzmq';
  due?: boolean;
  at?: string;
  check?: boolean;
  pinSet?: string;
  newBackupPin?: string;
}

const STEPS = ['stage', 'test', 'promote', 'rollback', 'finish', 'revoke', 'distribute'] as const;

function wholeNumber(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} takes a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** A next step as the command line that takes it (names are shell-safe: names.ts allows no spaces or quotes). */
export function rotationCommand(step: Readonly<RotationNextStep>, role?: string): string {
  const force = step.force ? ' --force' : '';
  const base = `curvekeep rotate ${step.identity}`;
  switch (step.action) {
    case 'stage':
      return `${base} --stage`;
    case 'distribute':
      return `${base} --distribute --out DIR`;
    case 'test':
      // A server key is tested where a listener presents it (serve --pending), not against a peer.
      return role === 'server' ? `${base} --test ENDPOINT` : `${base} --test ENDPOINT --peer SERVER`;
    case 'promote':
      return `${base} --promote${force}`;
    case 'finish':
      return `${base} --finish${force}`;
    case 'rollback':
      return `${base} --rollback`;
    case 'revoke':
      return `${base} --revoke ${step.generation ?? 'GENERATION'}${force}`;
  }
}

/** A next step for a terminal: its command, and when it is due. */
function phraseStep(step: Readonly<RotationNextStep>, role?: string): string {
  return step.after ? `${rotationCommand(step, role)}  (after ${step.after.slice(0, 10)}, when the grace period ends)` : rotationCommand(step, role);
}

/** A calendar event's next step, for an operator at a terminal. */
export function calendarStep(step: Readonly<RotationNextStep>): string {
  return `Run: ${rotationCommand(step)}`;
}

/** The next steps, one command per line. */
export function describeNext(steps: ReadonlyArray<RotationNextStep>, role?: string): string {
  if (steps.length === 0) return 'next: nothing to do';
  return steps.map((step, i) => `${i === 0 ? 'next:' : '  or:'} ${phraseStep(step, role)}`).join('\n');
}

/** A refused step, worded with the commands that would take the rotation on (exit 2 as before). */
async function wordedRefusal<T>(work: Promise<T>, roleOf?: () => Promise<string | undefined>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const { RotationRefusedError } = await import('../../core/rotation/errors.js');
    if (error instanceof RotationRefusedError && error.next.length > 0) {
      // The role words the test step (a server key is tested where its pending key is served).
      const role = error.next.some((step) => step.action === 'test') && roleOf ? await roleOf().catch(() => undefined) : undefined;
      throw new RefusedError(`${error.message}\n${describeNext(error.next, role)}`);
    }
    throw error;
  }
}

export function describeRotation(s: Readonly<RotationStatus>): string {
  const rows = [['STATE', 'GEN', 'PUBLIC KEY', 'NOTE']];
  for (const g of s.identity.generations) {
    if (g.state === 'retired' || g.state === 'revoked') continue;
    const notes: string[] = [];
    if (g.graceUntil) notes.push(`kept until ${g.graceUntil.slice(0, 10)}`);
    if (g.lastTest) notes.push(`last test ${g.lastTest.verdict}${g.lastTest.forced ? ' (promotion forced)' : ''} at ${g.lastTest.at}${g.lastTest.endpoint ? ` against ${g.lastTest.endpoint}` : ''}`);
    rows.push([g.state, String(g.generation), g.publicKey, notes.join('; ')]);
  }
  const head = s.stage === 'idle' ? `${s.identity.name}: no rotation in progress` : `${s.identity.name}: ROTATION IN PROGRESS (${s.stage})`;
  return `${head}\n${table(rows)}\n${describeNext(s.next, s.identity.role)}`;
}

function describeDue(items: ReadonlyArray<ScheduleItem | DueItem>): string {
  const rows = [['NAME', 'ROLE', 'GEN', 'DUE', 'STATUS', 'ROTATION']];
  for (const i of items) {
    const status = i.daysLeft === null ? 'never' : i.overdue ? `OVERDUE ${-i.daysLeft}d` : `in ${i.daysLeft}d`;
    rows.push([i.name, i.role, String(i.generation), i.dueAt?.slice(0, 10) ?? '-', status, i.stage]);
  }
  return table(rows);
}

async function runStep(ctx: Parameters<Parameters<typeof action>[0]>[0], ref: string, opts: RotateOptions): Promise<Outcome> {
  const chosen = STEPS.filter((step) => opts[step] !== undefined && opts[step] !== false);
  if (chosen.length > 1) throw new UsageError(`choose one step at a time, got --${chosen.join(' and --')}`);
  const step = chosen[0];
  const ws = ctx.workspace();
  const rotation = await import('../../core/usecases/rotation.js');
  const worded = <T>(work: Promise<T>) => wordedRefusal(work, async () => (await rotation.rotationStatus(ws, ref)).identity.role);
  switch (step) {
    case undefined: {
      const s = await rotation.rotationStatus(ws, ref);
      return { json: s, text: describeRotation(s) };
    }
    case 'stage': {
      const s = await worded(rotation.stageRotation(ws, ref));
      return { json: s, text: `staged generation ${s.generation} of ${s.identity.name}: pending key ${s.publicKey} (safety code ${s.identity.pending?.safetyCode})\n${describeRotation(s)}` };
    }
    case 'test': {
      const { parseSocketType } = await import('../../core/link/curve-test.js');
      const outcome = await worded(
        rotation.testRotation(ws, ref, {
          ...(typeof opts.test === 'string' ? { endpoint: opts.test } : {}),
          ...(opts.serverKey !== undefined ? { serverKey: opts.serverKey } : {}),
          ...(opts.peer !== undefined ? { peer: opts.peer } : {}),
          ...(opts.as !== undefined ? { as: opts.as } : {}),
          ...(opts.oneTimeKey ? { oneTimeKey: true } : {}),
          ...(opts.socketType ? { socketType: parseSocketType(opts.socketType) } : {}),
          ...(opts.timeout !== undefined ? { timeoutMs: wholeNumber(opts.timeout, '--timeout') } : {}),
        }),
      );
      const r = outcome.result;
      const timing = r.handshakeMs !== undefined ? ` (handshake ${r.handshakeMs} ms${r.rttMs !== undefined ? `, round trip ${r.rttMs} ms` : ''})` : '';
      const what = outcome.proves === 'server-presents'
        ? `pending server key of ${outcome.identity.name} presented at ${r.endpoint}${outcome.as ? ` (connected as ${outcome.as.oneTime ? 'a one-time key' : outcome.as.name})` : ''}`
        : `pending key of ${outcome.identity.name} against ${r.endpoint}`;
      return {
        json: outcome,
        text: `${what}: ${r.verdict}${timing}\n${r.detail}\nhint: ${r.hint}\n${describeRotation(outcome)}`,
        exitCode: r.verdict === 'ok' ? 0 : 1,
      };
    }
    case 'promote': {
      const s = await worded(
        rotation.promoteRotation(ws, ref, {
          force: Boolean(opts.force),
          ...(opts.grace !== undefined ? { graceDays: wholeNumber(opts.grace, '--grace') } : {}),
        }),
      );
      return { json: s, text: `promoted: ${s.identity.name} now uses generation ${s.identity.generation}\n${describeRotation(s)}` };
    }
    case 'finish': {
      const s = await worded(rotation.finishRotation(ws, ref, { force: Boolean(opts.force) }));
      return { json: s, text: `finished: generation ${s.retiredGeneration} of ${s.identity.name} is retired${s.secretDeleted ? ' and its secret deleted from the keychain' : ''}\n${describeRotation(s)}` };
    }
    case 'rollback': {
      const s = await worded(rotation.rollbackRotation(ws, ref));
      const what = s.undone === 'staged' ? 'the staged key was dropped' : 'the previous key is current again';
      return { json: s, text: `rolled back: ${what}; generation ${s.revokedGeneration} is revoked\n${describeRotation(s)}` };
    }
    case 'revoke': {
      const s = await worded(rotation.revokeRotationKey(ws, ref, wholeNumber(opts.revoke!, '--revoke'), { force: Boolean(opts.force) }));
      return { json: s, text: `revoked generation ${s.revokedGeneration} of ${s.identity.name}\n${describeRotation(s)}` };
    }
    case 'distribute': {
      if (!opts.out) throw new UsageError('--distribute needs --out DIR: the folder to write the public certificates into');
      const { distributeRotation } = await import('../../core/rotation/distribute.js');
      const { leftLine, withForceHint } = await import('../force-hint.js');
      const result = await withForceHint(() => distributeRotation(ws, ref, { out: opts.out!, flavour: opts.format, force: Boolean(opts.force) }));
      const lines = result.entries.map((e) => `  ${e.state.padEnd(8)} generation ${e.generation}: ${e.publicKey}`);
      const text = [`wrote ${result.files.length} certificate(s) to ${result.dir}:`, ...lines];
      if (result.removed.length) text.push(`removed ${result.removed.length} certificate(s) of keys no longer accepted`);
      if (result.qrFile) text.push(`QR code of the pending key: ${result.qrFile}`);
      if (result.role === 'server' && result.pendingFile) text.push(`the new server public cert for its clients: ${result.pendingFile}`);
      for (const line of leftLine(result.left)) text.push(line);
      return { json: result, text: text.join('\n') };
    }
    default:
      throw new UsageError(`unknown step ${String(step)}`);
  }
}

export function registerRotation(program: Command): void {
  program
    .command('rotate [ref]')
    .description('staged key rotation: --stage, --test, --promote, --finish, --rollback; --due lists due keys')
    .option('--stage', 'make a new pending key (the current key keeps working)')
    .option('--test [endpoint]', "live CURVE test of the pending key against ENDPOINT (default: the --peer's first TCP endpoint); a server key: ENDPOINT must present the pending key")
    .option('--server-key <z85>', 'with --test: the server\'s public key')
    .option('--peer <ref>', 'with --test: the peer (or own identity) whose public key is the server\'s')
    .option('--as <ref>', 'with --test of a server key: the own client identity to connect as (default: the only client or device identity)')
    .option('--one-time-key', 'with --test of a server key: connect with a one-time client key (for a listener that admits any key)')
    .option('--socket-type <type>', 'with --test: our socket type (default dealer)')
    .option('--timeout <ms>', 'with --test: limit in milliseconds (default 5000)')
    .option('--promote', 'make the pending key current (needs a passing test, or --force)')
    .option('--force', 'with --promote: without a passing test (logged); with --finish: before the grace period ends; with --revoke: the current key; with --distribute: replace files Curvekeep did not write')
    .option('--grace <days>', 'with --promote: days the previous key stays accepted (default 7)')
    .option('--rollback', 'go back to the previous key (drops a staged key, or undoes a promotion)')
    .option('--finish', 'retire the previous key and delete its secret')
    .option('--revoke <generation>', 'revoke one key generation (a leaked key) and delete its secret')
    .option('--distribute', 'write the public certificates peers must accept now (with --out DIR), and a QR code of the pending key')
    .option('--out <dir>', 'with --distribute: the folder')
    .addOption(new Option('--format <format>', 'with --distribute: how values are written').choices(['zcert', 'pyzmq']).default('zcert'))
    .option('--due', `list identities due for rotation (within ${DUE_SOON_DAYS} days, or by --at)`)
    .option('--at <date>', 'with --due: list what is due by this date (YYYY-MM-DD)')
    .option('--check', 'with --due: exit 1 when any key is overdue')
    .option('--pin-set <host>', 'rotate a TLS pin set: its backup pin becomes active (with --new-backup-pin)')
    .option('--new-backup-pin <pin>', 'with --pin-set: the pin of the new key held in reserve')
    .action(
      action(async (ctx, ref: string | undefined, opts: RotateOptions) => {
        if (opts.due) {
          if (ref) throw new UsageError('--due lists every identity; leave out REF');
          const { dueRotations, parsePlanningDate } = await import('../../core/usecases/rotation.js');
          const list = await dueRotations(ctx.workspace(), opts.at !== undefined ? { at: parsePlanningDate(opts.at) } : {});
          const failed = Boolean(opts.check) && list.overdue > 0;
          const text = list.items.length ? describeDue(list.items) : `nothing due by ${list.by.slice(0, 10)}`;
          return { json: list, text: failed ? `${text}\n${list.overdue} key(s) overdue` : text, exitCode: failed ? 1 : 0 };
        }
        if (opts.pinSet !== undefined) {
          if (ref) throw new UsageError('--pin-set rotates a TLS pin set, not an identity; leave out REF');
          if (!opts.newBackupPin) throw new UsageError('--pin-set needs --new-backup-pin PIN: a set is never left without a backup (make one with `curvekeep pins backup-key HOST`)');
          const { promoteBackupPin } = await import('../../core/pins/pin-set.js');
          const set = await promoteBackupPin(ctx.workspace(), opts.pinSet, opts.newBackupPin);
          return { json: set, text: `pin set ${set.host}: active ${set.pins.join(', ')}; backup ${set.backupPins.join(', ')}` };
        }
        if (!ref) throw new UsageError('rotate needs an identity (REF) and a step, or --due; see `curvekeep rotate --help`');
        return runStep(ctx, ref, opts);
      }),
    );

  program
    .command('schedule')
    .description('rotation due dates of every identity; --ics writes an iCalendar file')
    .option('--ics <file>', 'write the due dates as an iCalendar (.ics) file')
    .action(
      action(async (ctx, opts: { ics?: string }) => {
        const { rotationCalendar } = await import('../../core/usecases/rotation.js');
        const { now, items, ics } = await rotationCalendar(ctx.workspace(), calendarStep);
        let written: string | null = null;
        if (opts.ics) {
          const { writeFileAtomic } = await import('../../core/files.js');
          await writeFileAtomic(opts.ics, ics, { mode: 0o644, overwrite: true });
          written = opts.ics;
        }
        const text = (items.length ? describeDue(items) : 'no identities yet') + (written ? `\nwrote ${written}` : '');
        return { json: { now, items, ics: written }, text };
      }),
    );
}
