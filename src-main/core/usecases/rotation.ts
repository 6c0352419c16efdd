// The rotation use cases: one entry per step of the staged rotation (stage, test, promote, finish,
// rollback, revoke; distribute is the one core call distributeRotation, whose output folder each
// face resolves), the schedule, the due list and the calendar. Both faces call
// these: the CLI's rotate and schedule commands (cli/commands/rotation.ts) and the rotation
// channels (ipc/handlers/rotation.ts), which only parse, call and word the result. Every default
// (grace period, due window, the test's endpoint and server key) is decided here, once.
import { DEFAULT_GRACE_DAYS } from '../../common/rotation.js';
import { InvalidInputError } from '../errors.js';
import type { LinkSocketType } from '../link/curve-test.js';
import type {
  FinishedRotation,
  PendingKeyTestOutcome,
  RevokedKey,
  RolledBackRotation,
  RotationStatus,
  StagedRotation,
} from '../rotation/rotation.js';
import { type DueItem, type PhraseStep, type ScheduleItem, defaultDueBy, dueBy, formatIcs, scheduleOf } from '../rotation/schedule.js';
import type { Workspace } from '../workspace.js';
import type { LinkServer } from './link-target.js';

export type { DueItem, PhraseStep, ScheduleItem } from '../rotation/schedule.js';
export type { FinishedRotation, PendingKeyTestOutcome, RevokedKey, RolledBackRotation, RotationStatus, StagedRotation } from '../rotation/rotation.js';

const rotationCore = () => import('../rotation/rotation.js');

/** Where an identity's rotation stands, with the next steps as data. */
export async function rotationStatus(ws: Workspace, ref: string): Promise<RotationStatus> {
  return (await rotationCore()).rotationStatus(ws, ref);
}

/** Stage: a new pending key (its secret in the keychain); the current key is untouched. */
export async function stageRotation(ws: Workspace, ref: string): Promise<StagedRotation> {
  return (await rotationCore()).stageRotation(ws, ref);
}

/**
 * The test step's target. The server: exactly one of a stored peer or a pasted key. The endpoint:
 * the one given, else the peer's first TCP endpoint (resolveLinkTarget's rule, as the link test's).
 */
export interface PendingKeyTestRequest {
  readonly peer?: string;
  readonly serverKey?: string;
  readonly endpoint?: string;
  readonly socketType?: LinkSocketType;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface PendingKeyTested extends PendingKeyTestOutcome {
  /** Who the server was (a stored peer or a pasted key). */
  readonly server: LinkServer;
}

/** Test: a live CURVE test with the pending key against the resolved server; the verdict is recorded. */
export async function testRotation(ws: Workspace, ref: string, request: Readonly<PendingKeyTestRequest>): Promise<PendingKeyTested> {
  const [{ resolveLinkServer }, { data }] = await Promise.all([import('./link-target.js'), ws.store.read()]);
  const target = resolveLinkServer(data, {
    ...(request.peer !== undefined ? { peer: request.peer } : {}),
    ...(request.serverKey !== undefined ? { serverKey: request.serverKey } : {}),
    ...(request.endpoint !== undefined ? { endpoint: request.endpoint } : {}),
  });
  const outcome = await (
    await rotationCore()
  ).testPendingKey(ws, ref, {
    endpoint: target.endpoint,
    serverKey: target.serverKey,
    ...(request.socketType ? { socketType: request.socketType } : {}),
    ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  return { ...outcome, server: target.server };
}

export interface PromoteRequest {
  /** Promote without a recorded passing test (logged as forced). */
  readonly force?: boolean;
  /** Days the previous key stays accepted; default DEFAULT_GRACE_DAYS. */
  readonly graceDays?: number;
}

/** Promote: pending -> current, current -> previous for the grace period. */
export async function promoteRotation(ws: Workspace, ref: string, request: Readonly<PromoteRequest> = {}): Promise<RotationStatus> {
  return (await rotationCore()).promoteRotation(ws, ref, { force: request.force === true, graceDays: request.graceDays ?? DEFAULT_GRACE_DAYS });
}

/** Finish: previous -> retired, its secret deleted; `force` before the grace period ends. */
export async function finishRotation(ws: Workspace, ref: string, request: Readonly<{ force?: boolean }> = {}): Promise<FinishedRotation> {
  return (await rotationCore()).finishRotation(ws, ref, { force: request.force === true });
}

/** Rollback: back to the previous key, from any step before finish. */
export async function rollbackRotation(ws: Workspace, ref: string): Promise<RolledBackRotation> {
  return (await rotationCore()).rollbackRotation(ws, ref);
}

/** Revoke one key generation (a leaked key); `force` for the current key. */
export async function revokeRotationKey(ws: Workspace, ref: string, generation: number, request: Readonly<{ force?: boolean }> = {}): Promise<RevokedKey> {
  return (await rotationCore()).revokeKey(ws, ref, generation, { allowCurrent: request.force === true });
}

// --- Schedule and due dates ---

export interface RotationSchedule {
  readonly now: string;
  /** Every identity, soonest due first, those never due last. */
  readonly items: ReadonlyArray<ScheduleItem>;
}

/** Every identity's key age against its policy: the CLI's schedule command, the app's timeline. */
export async function rotationSchedule(ws: Workspace): Promise<RotationSchedule> {
  const { data } = await ws.store.read();
  const now = ws.now();
  return { now: now.toISOString(), items: scheduleOf(data.identities, now) };
}

export interface DueQuery {
  /** List what is due by this date (planning); default: now plus DUE_SOON_DAYS. */
  readonly at?: Date;
}

export interface DueList {
  readonly now: string;
  readonly by: string;
  readonly items: ReadonlyArray<DueItem>;
  /** How many of the items are overdue now. */
  readonly overdue: number;
}

/** The keys due for rotation by a date: the CLI's `rotate --due [--at] [--check]`, the app's rotation.due. */
export async function dueRotations(ws: Workspace, query: Readonly<DueQuery> = {}): Promise<DueList> {
  const { data } = await ws.store.read();
  return dueListOf(scheduleOf(data.identities, ws.now()), ws.now(), query);
}

/** The due list of a schedule already made (status reads the store once and shares it). */
export function dueListOf(schedule: ReadonlyArray<ScheduleItem>, now: Date, query: Readonly<DueQuery> = {}): DueList {
  const by = query.at ?? defaultDueBy(now);
  const items = dueBy(schedule, by);
  return { now: now.toISOString(), by: by.toISOString(), items, overdue: items.filter((i) => i.overdue).length };
}

/** A planning date that is not YYYY-MM-DD or an ISO time. */
export class InvalidPlanningDateError extends InvalidInputError {
  constructor(readonly given: string) {
    super(`a planning date is written YYYY-MM-DD (or as an ISO time), got ${JSON.stringify(given)}`);
  }
}

/** A planning date: YYYY-MM-DD (the end of that day, UTC) or a full ISO time. */
export function parsePlanningDate(value: string): Date {
  const text = value.trim();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T23:59:59.999Z`) : new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) throw new InvalidPlanningDateError(value);
  return date;
}

export interface RotationCalendar extends RotationSchedule {
  /** The schedule as an iCalendar (RFC 5545) file. */
  readonly ics: string;
}

/** The schedule and its iCalendar file; `phrase` words each event's next step for its reader. */
export async function rotationCalendar(ws: Workspace, phrase: PhraseStep): Promise<RotationCalendar> {
  const schedule = await rotationSchedule(ws);
  return { ...schedule, ics: formatIcs(schedule.items, new Date(schedule.now), phrase) };
}
