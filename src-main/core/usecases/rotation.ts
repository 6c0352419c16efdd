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
import type { IdentityKeyPair } from '../identities/identities.js';
import type { Workspace } from '../workspace.js';
import type { LinkClientIdentity, LinkServer } from './link-target.js';

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
  /**
   * Server keys only: the own client identity to present (default: the only usable client or
   * device identity, as resolveLinkClient decides).
   */
  readonly as?: string;
  /** Server keys only: present a one-time client key (proves the server key where any client is admitted). */
  readonly oneTimeKey?: boolean;
  readonly socketType?: LinkSocketType;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface PendingKeyTested extends PendingKeyTestOutcome {
  /** Who the server was (a stored peer, an own identity, or a pasted key). */
  readonly server: LinkServer;
  /**
   * What the test proves: `client-admitted` (a client or device key: the server admits the pending
   * client key) or `server-presents` (a server key: the endpoint presents the pending server key).
   */
  readonly proves: 'client-admitted' | 'server-presents';
  /** Server keys: the client that connected (null for a client or device key, which is itself the client). */
  readonly as: LinkClientIdentity | null;
}

/** A server key rotation was asked to test against another server, which proves nothing about its key. */
export class ServerRotationTargetError extends InvalidInputError {
  constructor(readonly identity: string, readonly given: 'peer' | 'serverKey') {
    super(
      `${identity} is a server: its pending key is tested by connecting to the endpoint that serves it (expecting the pending key), not against ${given === 'peer' ? 'a peer' : 'a server key'}`,
    );
  }
}

/** A client identity or one-time key was named for a client or device key, which is itself the client. */
export class ClientRotationAsError extends InvalidInputError {
  constructor(readonly identity: string) {
    super(`${identity} is not a server: its own pending key is the client of the test; a client to connect as applies to server keys only`);
  }
}

/**
 * Test, per role. A client or device key: a live CURVE test with the pending key as the client
 * against the resolved server (does the server admit it?). A server key: a live CURVE test that
 * expects the PENDING server public key at the endpoint (does the endpoint present it?), with a
 * client as resolveLinkClient decides. The verdict is recorded on the pending key either way.
 */
export async function testRotation(ws: Workspace, ref: string, request: Readonly<PendingKeyTestRequest>): Promise<PendingKeyTested> {
  const [{ resolveLinkServer, resolveLinkClient, firstTestableEndpoint, NoTestableEndpointError }, { data }, { findIdentity }] = await Promise.all([
    import('./link-target.js'),
    ws.store.read(),
    import('../identities/identities.js'),
  ]);
  const identity = findIdentity(data.identities, ref);
  if (identity.role === 'server') {
    if (request.peer !== undefined) throw new ServerRotationTargetError(identity.name, 'peer');
    if (request.serverKey !== undefined) throw new ServerRotationTargetError(identity.name, 'serverKey');
    let endpoint: string;
    if (request.endpoint !== undefined) {
      endpoint = (await import('../link/endpoint.js')).parseEndpoint(request.endpoint).endpoint;
    } else {
      const first = firstTestableEndpoint(identity.endpoints);
      if (first.endpoint === undefined) throw new NoTestableEndpointError({ kind: 'identity', name: identity.name }, first.unusable);
      endpoint = first.endpoint;
    }
    const client = await resolveLinkClient(
      ws,
      { ...(request.as !== undefined ? { as: request.as } : {}), ...(request.oneTimeKey ? { oneTimeKey: true } : {}) },
      data,
    );
    const outcome = await (
      await rotationCore()
    ).testServedPendingKey(ws, identity.id, {
      endpoint,
      client: client.pair,
      ...(request.socketType ? { socketType: request.socketType } : {}),
      ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return { ...outcome, server: { kind: 'identity', id: identity.id, name: identity.name }, proves: 'server-presents', as: client.as };
  }
  if (request.as !== undefined || request.oneTimeKey) throw new ClientRotationAsError(identity.name);
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
  return { ...outcome, server: target.server, proves: 'client-admitted', as: null };
}

/** `serve --pending` named an identity that is not a server, or there is no single server to default to. */
export class PendingServerChoiceError extends InvalidInputError {
  constructor(
    readonly reason: 'not-a-server' | 'none' | 'several',
    readonly identity: string | null,
    readonly candidates: ReadonlyArray<string> = [],
  ) {
    super(
      reason === 'not-a-server'
        ? `${identity} is not a server identity: only a server's pending key can be served`
        : reason === 'none'
          ? 'there is no server identity whose pending key could be served'
          : `choose the server identity to serve: there are ${candidates.length} (${candidates.join(', ')})`,
    );
  }
}

/**
 * The PENDING key pair of a server identity being rotated (`serve --as SERVER --pending`): a second
 * listener presents it, so the rotation test can prove it and the clients that already hold the
 * new server key can connect before promotion. Refused (no-pending-key, next: stage) when nothing
 * is staged. Default: the only server identity.
 */
export async function pendingServerKey(ws: Workspace, ref?: string): Promise<IdentityKeyPair> {
  const [{ data }, { findIdentity, identityKeyPair }, { pendingGeneration }, { RotationRefusedError }] = await Promise.all([
    ws.store.read(),
    import('../identities/identities.js'),
    import('../rotation/policy.js'),
    import('../rotation/errors.js'),
  ]);
  let identity;
  if (ref !== undefined) {
    identity = findIdentity(data.identities, ref);
    if (identity.role !== 'server') throw new PendingServerChoiceError('not-a-server', identity.name);
  } else {
    const servers = data.identities.filter((i) => i.role === 'server');
    if (servers.length !== 1) throw new PendingServerChoiceError(servers.length === 0 ? 'none' : 'several', null, servers.map((i) => i.name));
    identity = servers[0]!;
  }
  if (!pendingGeneration(identity)) {
    throw new RotationRefusedError({ reason: 'no-pending-key', identity: identity.name }, [{ action: 'stage', identity: identity.name }]);
  }
  return identityKeyPair(ws, identity.id, 'pending');
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
