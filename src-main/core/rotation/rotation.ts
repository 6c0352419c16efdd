// The staged rotation of ARCHITECTURE.md section 5, with key generations:
//   stage (new pending key, secret in the keychain) -> test (a live CURVE test with the pending
//   key) -> promote (pending -> current, current -> previous for a grace period) -> finish
//   (previous -> retired, its secret deleted). Rollback returns to the previous key at any step.
// All state lives in the sealed document, so a rotation interrupted by a restart simply resumes.
import type { PublicKey } from '../curve/keys.js';
import { generateKeyPair } from '../curve/keys.js';
import {
  DEFAULT_GRACE_DAYS,
  LIVE_KEY_STATES,
  MAX_GRACE_DAYS,
  type RollbackUndone,
  type RotationNextStep,
  type RotationStage,
  nextSteps,
  rotationStage as stageOfGenerations,
} from '../../common/rotation.js';
import { InvalidGraceDaysError, RotationRefusedError, UnknownGenerationError } from './errors.js';
import { findIdentity, identityKeyPair, secretAccount } from '../identities/identities.js';
import { type IdentityView, identityView } from '../identities/identity-view.js';
import type { LinkSocketType, LinkResult } from '../link/curve-test.js';
import type { Identity, KeyGeneration } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { pendingGeneration } from './policy.js';
import { DAY_MS } from '../../common/time.js';

export { DEFAULT_GRACE_DAYS, type RotationStage } from '../../common/rotation.js';

export interface RotationStatus {
  readonly identity: IdentityView;
  readonly stage: RotationStage;
  /** The steps that take the rotation on, the usual one first; each face words them. */
  readonly next: ReadonlyArray<RotationNextStep>;
}

function previousGeneration(identity: Identity): KeyGeneration | null {
  return identity.generations.find((g) => g.state === 'previous') ?? null;
}

function currentOf(identity: Identity): KeyGeneration | null {
  return identity.generations.find((g) => g.state === 'current') ?? null;
}

/** The identity's rotation stage (the one derivation in common/rotation.ts). */
export function rotationStage(identity: Identity, now: Date): RotationStage {
  return stageOfGenerations(identity.generations, now);
}

function status(identity: Identity, now: Date): RotationStatus {
  const stage = rotationStage(identity, now);
  return { identity: identityView(identity, now), stage, next: nextSteps(identity.name, stage, identity.generations) };
}

export async function rotationStatus(ws: Workspace, ref: string): Promise<RotationStatus> {
  const { data } = await ws.store.read();
  return status(findIdentity(data.identities, ref), ws.now());
}

const ACCOUNT = /^identity:(.+):(\d+)$/;

/**
 * Deletes keychain items of this identity that no live generation owns: a pending key whose
 * document write never happened (a crash between the keychain write and the document write), or
 * a retired or revoked key whose delete was interrupted. Returns the accounts removed.
 */
async function sweepStraySecrets(ws: Workspace, identity: Identity): Promise<string[]> {
  const live = new Set(identity.generations.filter((g) => LIVE_KEY_STATES.includes(g.state)).map((g) => g.generation));
  const removed: string[] = [];
  for (const account of await ws.secrets.accounts()) {
    const match = ACCOUNT.exec(account);
    if (!match || match[1] !== identity.id || live.has(Number(match[2]))) continue;
    if (await ws.secrets.delete(account)) removed.push(account);
  }
  return removed;
}

function assertIdle(identity: Identity): void {
  const name = identity.name;
  const pending = pendingGeneration(identity);
  if (pending) {
    throw new RotationRefusedError(
      { reason: 'in-progress', identity: name, pendingGeneration: pending.generation, stagedAt: pending.createdAt },
      [{ action: 'promote', identity: name }, { action: 'rollback', identity: name }],
    );
  }
  const previous = previousGeneration(identity);
  if (previous) {
    throw new RotationRefusedError(
      { reason: 'in-grace-period', identity: name, previousGeneration: previous.generation, graceUntil: previous.graceUntil ?? null },
      [{ action: 'finish', identity: name }, { action: 'rollback', identity: name }],
    );
  }
}

export interface StagedRotation extends RotationStatus {
  readonly generation: number;
  readonly publicKey: PublicKey;
  /** Keychain items of this identity that no generation owned, removed before staging. */
  readonly straySecretsRemoved: number;
}

/**
 * Stage: a new pending key pair whose secret goes into the keychain; the current key is untouched.
 * The keychain write happens under the store's lock, so two stagers cannot overwrite each other's
 * secret; a crash after it leaves a stray item that the next stage removes first.
 */
export async function stageRotation(ws: Workspace, ref: string): Promise<StagedRotation> {
  let written: string | null = null;
  try {
    return await ws.store.update(async (tx) => {
      const identity = findIdentity(tx.data.identities, ref);
      assertIdle(identity);
      const stray = await sweepStraySecrets(ws, identity);
      const generation = identity.generations.reduce((most, g) => Math.max(most, g.generation), 0) + 1;
      const pair = generateKeyPair();
      written = secretAccount(identity.id, generation);
      await ws.secrets.set(written, pair.secretKey);
      identity.generations.push({ generation, publicKey: pair.publicKey, state: 'pending', createdAt: tx.now.toISOString() });
      tx.audit({
        action: 'rotation.staged',
        subject: identity.name,
        details: { id: identity.id, generation, publicKey: pair.publicKey, straySecretsRemoved: stray.length },
      });
      return { ...status(identity, tx.now), generation, publicKey: pair.publicKey, straySecretsRemoved: stray.length };
    });
  } catch (error) {
    // The document refused the change: the secret written for it must not stay behind.
    if (written) await ws.secrets.delete(written).catch(() => undefined);
    throw error;
  }
}

/** A live test made with the pending key, as the link test reports it. */
export interface RotationTestResult {
  readonly endpoint: string;
  readonly verdict: string;
  readonly handshakeMs?: number;
  /** The key the test was made with: it must be the pending key, or the record proves nothing. */
  readonly publicKey: string;
}

export async function recordRotationTest(ws: Workspace, ref: string, result: Readonly<RotationTestResult>): Promise<RotationStatus> {
  return ws.store.update((tx) => {
    const identity = findIdentity(tx.data.identities, ref);
    const pending = requirePending(identity);
    if (pending.publicKey !== result.publicKey) {
      throw new RotationRefusedError({ reason: 'not-the-pending-key', identity: identity.name, testedKey: result.publicKey, pendingKey: pending.publicKey });
    }
    pending.lastTest = {
      endpoint: result.endpoint,
      verdict: result.verdict,
      at: tx.now.toISOString(),
      ...(result.handshakeMs !== undefined ? { handshakeMs: result.handshakeMs } : {}),
    };
    tx.audit({
      action: 'rotation.tested',
      subject: identity.name,
      details: { id: identity.id, generation: pending.generation, endpoint: result.endpoint, verdict: result.verdict },
    });
    return status(identity, tx.now);
  });
}

export interface PendingKeyTest {
  readonly endpoint: string;
  /** The server's public key the pending key should be accepted by. */
  readonly serverKey: string;
  readonly socketType?: LinkSocketType;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface PendingKeyTestOutcome extends RotationStatus {
  readonly result: LinkResult;
}

/** Test: runs the live CURVE test with the pending key pair and records its verdict. */
export async function testPendingKey(ws: Workspace, ref: string, test: Readonly<PendingKeyTest>): Promise<PendingKeyTestOutcome> {
  const { testLink } = await import('../link/curve-test.js');
  // Nothing staged: the typed refusal, with staging as its next step.
  requirePending(findIdentity((await ws.store.read()).data.identities, ref));
  const pair = await identityKeyPair(ws, ref, 'pending');
  const result = await testLink({
    endpoint: test.endpoint,
    serverKey: test.serverKey,
    client: { publicKey: pair.publicKey, secretKey: pair.secretKey },
    ...(test.socketType ? { socketType: test.socketType } : {}),
    ...(test.timeoutMs !== undefined ? { timeoutMs: test.timeoutMs } : {}),
    ...(test.signal ? { signal: test.signal } : {}),
  });
  const recorded = await recordRotationTest(ws, pair.identity.id, {
    endpoint: result.endpoint,
    verdict: result.verdict,
    publicKey: pair.publicKey,
    ...(result.handshakeMs !== undefined ? { handshakeMs: result.handshakeMs } : {}),
  });
  return { ...recorded, result };
}

export interface ServedPendingKeyTest {
  readonly endpoint: string;
  /** The client key pair to present (an own client identity, or a one-time key). */
  readonly client: { readonly publicKey: string; readonly secretKey: string };
  readonly socketType?: LinkSocketType;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Test of a SERVER key rotation: connects to the endpoint expecting the PENDING server public key
 * (as a client that already holds the new key would), so it passes only where a listener really
 * presents the pending key; a listener still presenting the old key fails the CURVE handshake.
 */
export async function testServedPendingKey(ws: Workspace, ref: string, test: Readonly<ServedPendingKeyTest>): Promise<PendingKeyTestOutcome> {
  const { testLink } = await import('../link/curve-test.js');
  const identity = findIdentity((await ws.store.read()).data.identities, ref);
  const pending = requirePending(identity);
  const result = await testLink({
    endpoint: test.endpoint,
    serverKey: pending.publicKey,
    client: { publicKey: test.client.publicKey, secretKey: test.client.secretKey },
    ...(test.socketType ? { socketType: test.socketType } : {}),
    ...(test.timeoutMs !== undefined ? { timeoutMs: test.timeoutMs } : {}),
    ...(test.signal ? { signal: test.signal } : {}),
  });
  const recorded = await recordRotationTest(ws, identity.id, {
    endpoint: result.endpoint,
    verdict: result.verdict,
    publicKey: pending.publicKey,
    ...(result.handshakeMs !== undefined ? { handshakeMs: result.handshakeMs } : {}),
  });
  return { ...recorded, result };
}

function requirePending(identity: Identity): KeyGeneration {
  const pending = pendingGeneration(identity);
  if (!pending) throw new RotationRefusedError({ reason: 'no-pending-key', identity: identity.name }, [{ action: 'stage', identity: identity.name }]);
  return pending;
}

export interface PromoteOptions {
  /** Promote without a recorded passing test; the promotion is logged as forced. */
  readonly force?: boolean;
  /** How long the previous key stays valid beside the new one (default DEFAULT_GRACE_DAYS). */
  readonly graceDays?: number;
}

export function checkGraceDays(days: number): number {
  if (!Number.isInteger(days) || days < 0 || days > MAX_GRACE_DAYS) {
    throw new InvalidGraceDaysError(days, MAX_GRACE_DAYS);
  }
  return days;
}

/** Promote: pending -> current, current -> previous (kept for the grace period). */
export async function promoteRotation(ws: Workspace, ref: string, options: Readonly<PromoteOptions> = {}): Promise<RotationStatus> {
  const graceDays = checkGraceDays(options.graceDays ?? DEFAULT_GRACE_DAYS);
  const force = options.force === true;
  return ws.store.update((tx) => {
    const identity = findIdentity(tx.data.identities, ref);
    const pending = requirePending(identity);
    const test = pending.lastTest;
    const passed = test?.verdict === 'ok';
    if (!passed && !force) {
      const name = identity.name;
      throw new RotationRefusedError(
        { reason: 'untested', identity: name, last: test ? { endpoint: test.endpoint, at: test.at, verdict: test.verdict } : null },
        [{ action: 'test', identity: name }, { action: 'promote', identity: name, force: true }],
      );
    }
    const now = tx.now.toISOString();
    const graceUntil = new Date(tx.now.getTime() + graceDays * DAY_MS).toISOString();
    const current = currentOf(identity);
    if (current) {
      current.state = 'previous';
      current.graceUntil = graceUntil;
    }
    pending.state = 'current';
    pending.promotedAt = now;
    if (!passed) pending.lastTest = { endpoint: test?.endpoint ?? '', verdict: test?.verdict ?? 'untested', at: test?.at ?? now, forced: true };
    tx.audit({
      action: 'rotation.promoted',
      subject: identity.name,
      details: {
        id: identity.id,
        generation: pending.generation,
        publicKey: pending.publicKey,
        previousGeneration: current?.generation ?? null,
        graceUntil: current ? graceUntil : null,
        forced: !passed,
        verdict: test?.verdict ?? null,
      },
    });
    return status(identity, tx.now);
  });
}

export interface FinishOptions {
  /** Finish before the grace period ends (peers still on the old key are cut off). */
  readonly force?: boolean;
}

export interface FinishedRotation extends RotationStatus {
  readonly retiredGeneration: number;
  readonly secretDeleted: boolean;
}

/** Finish: previous -> retired, and its secret leaves the keychain. */
export async function finishRotation(ws: Workspace, ref: string, options: Readonly<FinishOptions> = {}): Promise<FinishedRotation> {
  const { identity, retired } = await ws.store.update((tx) => {
    const identity = findIdentity(tx.data.identities, ref);
    const previous = previousGeneration(identity);
    if (!previous) {
      const name = identity.name;
      throw pendingGeneration(identity)
        ? new RotationRefusedError({ reason: 'not-promoted', identity: name }, [{ action: 'promote', identity: name }])
        : new RotationRefusedError({ reason: 'nothing-to-finish', identity: name });
    }
    const early = previous.graceUntil !== undefined && Date.parse(previous.graceUntil) > tx.now.getTime();
    if (early && options.force !== true) {
      const name = identity.name;
      throw new RotationRefusedError({ reason: 'grace-period-runs', identity: name, graceUntil: previous.graceUntil! }, [
        { action: 'finish', identity: name, after: previous.graceUntil! },
        { action: 'finish', identity: name, force: true },
      ]);
    }
    previous.state = 'retired';
    previous.retiredAt = tx.now.toISOString();
    tx.audit({ action: 'rotation.finished', subject: identity.name, details: { id: identity.id, retiredGeneration: previous.generation, early } });
    return { identity, retired: previous.generation };
  });
  // After the document says retired: a crash here leaves a stray item the next stage removes.
  const secretDeleted = await ws.secrets.delete(secretAccount(identity.id, retired));
  return { ...status(identity, ws.now()), retiredGeneration: retired, secretDeleted };
}

export interface RolledBackRotation extends RotationStatus {
  /** What was undone: a staged (never promoted) key, or a promotion. */
  readonly undone: RollbackUndone;
  readonly revokedGeneration: number;
  readonly secretDeleted: boolean;
}

/**
 * Rollback: before promotion the pending key is dropped (revoked, its secret deleted); after
 * promotion the previous key becomes current again and the promoted one is revoked. After finish
 * there is nothing to go back to: the old secret is gone.
 */
export async function rollbackRotation(ws: Workspace, ref: string): Promise<RolledBackRotation> {
  const done = await ws.store.update((tx) => {
    const identity = findIdentity(tx.data.identities, ref);
    const now = tx.now.toISOString();
    const pending = pendingGeneration(identity);
    const previous = previousGeneration(identity);
    let undone: RollbackUndone;
    let revoked: KeyGeneration;
    if (pending) {
      undone = 'staged';
      revoked = pending;
    } else if (previous) {
      undone = 'promoted';
      const current = currentOf(identity);
      if (!current) {
        throw new RotationRefusedError({ reason: 'no-current-key', identity: identity.name }, [{ action: 'stage', identity: identity.name }]);
      }
      revoked = current;
      previous.state = 'current';
      delete previous.graceUntil;
    } else {
      const retired = identity.generations.filter((g) => g.state === 'retired').at(-1);
      const name = identity.name;
      throw retired
        ? new RotationRefusedError(
            { reason: 'finished-already', identity: name, retiredGeneration: retired.generation, retiredAt: retired.retiredAt ?? null },
            [{ action: 'stage', identity: name }],
          )
        : new RotationRefusedError({ reason: 'nothing-to-roll-back', identity: name });
    }
    revoked.state = 'revoked';
    revoked.revokedAt = now;
    tx.audit({
      action: 'rotation.rolled-back',
      subject: identity.name,
      details: { id: identity.id, undone, revokedGeneration: revoked.generation, currentGeneration: currentOf(identity)?.generation ?? null },
    });
    return { identity, undone, revoked: revoked.generation };
  });
  const secretDeleted = await ws.secrets.delete(secretAccount(done.identity.id, done.revoked));
  return { ...status(done.identity, ws.now()), undone: done.undone, revokedGeneration: done.revoked, secretDeleted };
}

export interface RevokedKey extends RotationStatus {
  readonly revokedGeneration: number;
  readonly secretDeleted: boolean;
}

/**
 * Revokes one generation (a key that leaked, say): any state -> revoked, its secret deleted.
 * Revoking the current key leaves the identity without a usable key until a new one is staged
 * and promoted, so it is refused unless `allowCurrent`.
 */
export async function revokeKey(ws: Workspace, ref: string, generation: number, options: { readonly allowCurrent?: boolean } = {}): Promise<RevokedKey> {
  const done = await ws.store.update((tx) => {
    const identity = findIdentity(tx.data.identities, ref);
    const target = identity.generations.find((g) => g.generation === generation);
    const name = identity.name;
    if (!target) throw new UnknownGenerationError(name, generation);
    if (target.state === 'revoked') throw new RotationRefusedError({ reason: 'revoked-already', identity: name, generation });
    if (target.state === 'current' && options.allowCurrent !== true) {
      throw new RotationRefusedError({ reason: 'current-key', identity: name, generation }, [
        { action: 'stage', identity: name },
        { action: 'revoke', identity: name, generation, force: true },
      ]);
    }
    const was = target.state;
    target.state = 'revoked';
    target.revokedAt = tx.now.toISOString();
    tx.audit({ action: 'rotation.revoked', subject: identity.name, details: { id: identity.id, generation, publicKey: target.publicKey, was } });
    return { identity };
  });
  const secretDeleted = await ws.secrets.delete(secretAccount(done.identity.id, generation));
  return { ...status(done.identity, ws.now()), revokedGeneration: generation, secretDeleted };
}
