// The rotation use cases: one entry per step of the staged rotation (stage, test, promote, finish,
// rollback, revoke; distribute is the one core call distributeRotation, whose output folder each
// face resolves), the schedule, the due list and the calendar. Both faces call
// these: the CLI's rotate and schedule commands (cli/commands/rotation.ts) and the rotation
// channels (ipc/handlers/rotation.ts), which only parse, call and word the result. Every default
// (grace period, due window, the test's endpoint and server key) is decided here, once.
import { DEFAULT_GRACE_DAYS, type RotationTestProof, rotationTestAdvice } from '../../common/rotation.js';
import { InvalidInputError } from '../errors.js';
import type { LinkSocketType } from '../link/curve-test.js';
import type { LinkResult } from '../link/verdict.js';
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
import type { DocumentData } from '../store/document.js';
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
  readonly proves: RotationTestProof;
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
    return { ...withAdvice(outcome, 'server-presents'), server: { kind: 'identity', id: identity.id, name: identity.name }, proves: 'server-presents', as: client.as };
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
  return { ...withAdvice(outcome, 'client-admitted'), server: target.server, proves: 'client-admitted', as: null };
}

/** The result's hint as a rotation test means it (common/rotation.ts), for every face alike. */
function withAdvice<T extends { readonly result: LinkResult }>(outcome: T, proves: RotationTestProof): T {
  const advice = rotationTestAdvice(proves, outcome.result.verdict);
  return advice ? { ...outcome, result: { ...outcome.result, hint: advice.hint } } : outcome;
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

// --- The servers a rotation tests against ---

/**
 * A place the pending key is tested: for a client or device key, a server it connects to (a
 * stored peer or an own server identity, at one endpoint); for a server key, an endpoint where a
 * listener presents the pending key.
 */
export interface RotationTarget {
  readonly kind: 'peer' | 'identity' | 'endpoint';
  /** The peer's or own identity's id; null for a bare endpoint (server keys). */
  readonly id: string | null;
  /** What the user reads: the peer's or identity's name, or the endpoint. */
  readonly name: string;
  readonly endpoint: string;
  /**
   * Known to belong to this identity: a past test of any of its key generations went there, or it
   * is one of the identity's own endpoints. The wizard tests these without being asked.
   */
  readonly remembered: boolean;
  /** The last recorded verdict there (of this identity's keys), with its time. */
  readonly lastVerdict: string | null;
  readonly lastAt: string | null;
}

export interface RotationTargets {
  readonly role: Identity['role'];
  /** Remembered first (newest test first), then the other candidates by name. */
  readonly targets: ReadonlyArray<RotationTarget>;
  /** Server keys: the own client or device identities a test can connect as. */
  readonly clients: ReadonlyArray<{ readonly id: string; readonly name: string }>;
}

type Identity = DocumentData['identities'][number];

function normalised(endpoint: string, parse: (text: string) => { endpoint: string }): string | null {
  try {
    return parse(endpoint).endpoint;
  } catch {
    return null;
  }
}

/**
 * The servers (or, for a server key, the endpoints) this identity's rotation should be tested
 * against, derived from what the store holds: the endpoints its key generations were tested at,
 * its own endpoints, and the stored peers and own server identities with an endpoint there.
 */
export async function rotationTargets(ws: Workspace, ref: string): Promise<RotationTargets> {
  const [{ data }, entries, { findIdentity }, { parseEndpoint }] = await Promise.all([ws.store.read(), ws.store.auditEntries(), import('../identities/identities.js'), import('../link/endpoint.js')]);
  const identity = findIdentity(data.identities, ref);
  const parse = (text: string) => normalised(text, parseEndpoint);
  // Every server a rotation of this identity was tested at (the audit log keeps each test; a
  // generation keeps only its last), newest first.
  const audited = entries
    .filter((e) => e.action === 'rotation.tested' && e.details?.id === identity.id && typeof e.details.endpoint === 'string')
    .map((e) => ({ endpoint: String(e.details!.endpoint), verdict: String(e.details!.verdict ?? ''), at: e.at }));
  const kept = identity.generations
    .filter((g) => g.lastTest !== undefined && g.lastTest.endpoint !== '')
    .map((g) => ({ endpoint: g.lastTest!.endpoint, verdict: g.lastTest!.verdict, at: g.lastTest!.at }));
  const tests = [...kept, ...audited]
    .map((t) => ({ ...t, endpoint: parse(t.endpoint) }))
    .filter((t): t is { endpoint: string; verdict: string; at: string } => t.endpoint !== null)
    .sort((a, b) => b.at.localeCompare(a.at));
  const lastAt = (endpoint: string) => tests.find((t) => t.endpoint === endpoint) ?? null;
  const own = identity.endpoints.map(parse).filter((e): e is string => e !== null);
  const clients = data.identities
    .filter((i) => i.id !== identity.id && (i.role === 'client' || i.role === 'device') && i.generations.some((g) => g.state === 'current'))
    .map((i) => ({ id: i.id, name: i.name }))
    .sort((a, b) => a.name.localeCompare(b.name));

  if (identity.role === 'server') {
    // Where the pending key was served before (the second listener), then the server's own endpoints.
    const seen = new Set<string>();
    const targets: RotationTarget[] = [];
    for (const endpoint of [...tests.map((t) => t.endpoint), ...own]) {
      if (seen.has(endpoint)) continue;
      seen.add(endpoint);
      const last = lastAt(endpoint);
      targets.push({ kind: 'endpoint', id: null, name: endpoint, endpoint, remembered: last !== null, lastVerdict: last?.verdict ?? null, lastAt: last?.at ?? null });
    }
    return { role: identity.role, targets, clients };
  }

  const remembered = new Set([...tests.map((t) => t.endpoint), ...own]);
  const servers = [
    ...data.peers.map((p) => ({ kind: 'peer' as const, id: p.id, name: p.name, endpoints: [...p.endpoints, ...(p.link?.lastEndpoint ? [p.link.lastEndpoint] : [])] })),
    ...data.identities
      .filter((i) => i.role === 'server' && i.id !== identity.id)
      .map((i) => ({ kind: 'identity' as const, id: i.id, name: i.name, endpoints: i.endpoints })),
  ];
  const targets: RotationTarget[] = [];
  for (const server of servers) {
    const endpoints = server.endpoints.map(parse).filter((e): e is string => e !== null);
    if (endpoints.length === 0) continue;
    const known = endpoints.find((e) => remembered.has(e));
    const endpoint = known ?? endpoints[0]!;
    const last = lastAt(endpoint);
    targets.push({ kind: server.kind, id: server.id, name: server.name, endpoint, remembered: known !== undefined, lastVerdict: last?.verdict ?? null, lastAt: last?.at ?? null });
  }
  targets.sort((a, b) => Number(b.remembered) - Number(a.remembered) || (b.lastAt ?? '').localeCompare(a.lastAt ?? '') || a.name.localeCompare(b.name));
  return { role: identity.role, targets, clients };
}

/** One place to test: a stored server (peer or own identity) with its endpoint, or an endpoint (server keys). */
export interface RotationTestTarget {
  /** A stored peer's or own server identity's id or name (client and device keys). */
  readonly server?: string;
  readonly endpoint?: string;
}

export interface RotationTestOfTarget {
  readonly target: RotationTestTarget;
  /** Null when the test could not run (the error says why). */
  readonly result: PendingKeyTested['result'] | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface RotationTestsOutcome extends RotationStatus {
  readonly tests: ReadonlyArray<RotationTestOfTarget>;
  /** Every target passed: the recorded test is a pass and promotion is offered. */
  readonly passed: boolean;
}

/**
 * Tests the pending key at every target, one after another. Each test is recorded as it ends; when
 * any failed, the first failure is recorded last, so that a pass elsewhere never offers promotion
 * while one server still refuses the key.
 */
export async function testRotationTargets(
  ws: Workspace,
  ref: string,
  targets: ReadonlyArray<RotationTestTarget>,
  common: Readonly<Omit<PendingKeyTestRequest, 'peer' | 'serverKey' | 'endpoint'>> = {},
): Promise<RotationTestsOutcome> {
  if (targets.length === 0) throw new InvalidInputError('choose at least one server to test the pending key against');
  const { isCurvekeepError } = await import('../errors.js');
  const tests: RotationTestOfTarget[] = [];
  for (const target of targets) {
    try {
      const tested = await testRotation(ws, ref, {
        ...common,
        ...(target.server !== undefined ? { peer: target.server } : {}),
        ...(target.endpoint !== undefined ? { endpoint: target.endpoint } : {}),
      });
      tests.push({ target, result: tested.result, error: null });
    } catch (error) {
      if (!isCurvekeepError(error)) throw error;
      tests.push({ target, result: null, error: { code: error.code, message: error.message } });
    }
    if (common.signal?.aborted) break;
  }
  const failed = tests.find((t) => t.result?.verdict !== 'ok');
  const passed = failed === undefined && tests.length === targets.length;
  const core = await rotationCore();
  let status = await core.rotationStatus(ws, ref);
  const pending = status.identity.generations.find((g) => g.state === 'pending');
  if (failed && pending && pending.lastTest?.verdict === 'ok') {
    status = await core.recordRotationTest(ws, ref, {
      endpoint: failed.result?.endpoint ?? failed.target.endpoint ?? '',
      verdict: failed.result?.verdict ?? 'not-tested',
      publicKey: pending.publicKey,
    });
  }
  return { ...status, tests, passed };
}
