// The rotation state machine on the real keychain: every step, its refusals, the audit trail, a
// restart in the middle, and the crash windows between keychain and document writes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { derivePublicKey, type SecretKey } from '../../../src-main/core/curve/keys.js';
import { RefusedError } from '../../../src-main/core/errors.js';
import { generateIdentity, identityKeyPair, secretAccount, showIdentity } from '../../../src-main/core/identities/identities.js';
import { rotationAllowlistEntries } from '../../../src-main/core/rotation/distribute.js';
import { RotationRefusedError, UnknownGenerationError } from '../../../src-main/core/rotation/errors.js';
import {
  finishRotation,
  promoteRotation,
  recordRotationTest,
  revokeKey,
  rollbackRotation,
  rotationStatus,
  stageRotation,
} from '../../../src-main/core/rotation/rotation.js';
import { createWorkspace } from '../../../src-main/core/workspace.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const DAY = 86_400_000;

describe('rotation state machine', () => {
  let t: TestWorkspace;
  let clock: Date;

  beforeEach(async () => {
    clock = new Date('2026-01-10T08:00:00Z');
    t = testWorkspace('rotation', () => clock);
    await generateIdentity(t.ws, { name: 'gw', role: 'server' });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const identity = async () => (await t.ws.store.read()).data.identities.find((i) => i.name === 'gw')!;

  it('stages a pending key whose secret is in the keychain, leaving the current key untouched', async () => {
    const before = await identityKeyPair(t.ws, 'gw');
    const staged = await stageRotation(t.ws, 'gw');
    expect(staged).toMatchObject({ stage: 'staged', generation: 2 });
    const id = staged.identity.id;
    const pendingSecret = (await t.keychain.get(secretAccount(id, 2))) as SecretKey;
    expect(derivePublicKey(pendingSecret)).toBe(staged.publicKey);
    const after = await identityKeyPair(t.ws, 'gw');
    expect(after).toMatchObject({ publicKey: before.publicKey, secretKey: before.secretKey, generation: 1 });
    expect((await showIdentity(t.ws, 'gw')).pending?.publicKey).toBe(staged.publicKey);
    await expect(stageRotation(t.ws, 'gw')).rejects.toThrow(/rotation in progress already/);
  });

  it('refuses promotion without a passing recorded test, allows it forced, and logs it as forced', async () => {
    const staged = await stageRotation(t.ws, 'gw');
    await expect(promoteRotation(t.ws, 'gw')).rejects.toThrow(RefusedError);
    await expect(promoteRotation(t.ws, 'gw')).rejects.toThrow(/has not been tested/);
    await recordRotationTest(t.ws, 'gw', { endpoint: 'tcp://127.0.0.1:1', verdict: 'unreachable', publicKey: staged.publicKey });
    await expect(promoteRotation(t.ws, 'gw')).rejects.toThrow(/said unreachable/);
    await expect(recordRotationTest(t.ws, 'gw', { endpoint: 'tcp://x:1', verdict: 'ok', publicKey: (await identityKeyPair(t.ws, 'gw')).publicKey })).rejects.toThrow(/not with the pending key/);
    const promoted = await promoteRotation(t.ws, 'gw', { force: true, graceDays: 3 });
    expect(promoted.stage).toBe('promoted');
    expect(promoted.identity.publicKey).toBe(staged.publicKey);
    const current = promoted.identity.generations.find((g) => g.state === 'current')!;
    expect(current.lastTest).toMatchObject({ verdict: 'unreachable', forced: true });
    const previous = promoted.identity.generations.find((g) => g.state === 'previous')!;
    expect(previous.graceUntil).toBe(new Date(clock.getTime() + 3 * DAY).toISOString());
    const audit = await t.ws.store.auditEntries();
    expect(audit.find((e) => e.action === 'rotation.promoted')!.details).toMatchObject({ forced: true, generation: 2, previousGeneration: 1 });
  });

  it('promotes after a passing test, finishes after the grace period, deletes the old secret, and refuses rollback after finish', async () => {
    const staged = await stageRotation(t.ws, 'gw');
    const id = staged.identity.id;
    await recordRotationTest(t.ws, 'gw', { endpoint: 'tcp://127.0.0.1:5555', verdict: 'ok', handshakeMs: 3, publicKey: staged.publicKey });
    expect((await rotationStatus(t.ws, 'gw')).stage).toBe('tested');
    await promoteRotation(t.ws, 'gw');
    // During the grace period both keys are accepted; afterwards only the new one.
    expect(rotationAllowlistEntries(await identity(), clock).map((e) => e.state)).toEqual(['previous', 'current']);
    await expect(finishRotation(t.ws, 'gw')).rejects.toThrow(/grace period .* runs until/);
    clock = new Date(clock.getTime() + 8 * DAY);
    expect((await rotationStatus(t.ws, 'gw')).stage).toBe('grace-over');
    expect(rotationAllowlistEntries(await identity(), clock).map((e) => e.state)).toEqual(['current']);
    const finished = await finishRotation(t.ws, 'gw');
    expect(finished).toMatchObject({ stage: 'idle', retiredGeneration: 1, secretDeleted: true });
    expect(await t.keychain.get(secretAccount(id, 1))).toBeNull();
    expect((await identityKeyPair(t.ws, 'gw')).publicKey).toBe(staged.publicKey);
    await expect(rollbackRotation(t.ws, 'gw')).rejects.toThrow(/was finished.*retired and its secret deleted/);
    const actions = (await t.ws.store.auditEntries()).map((e) => e.action).filter((a) => a.startsWith('rotation.'));
    expect(actions).toEqual(['rotation.staged', 'rotation.tested', 'rotation.promoted', 'rotation.finished']);
  });

  it('rolls back a staged key: the pending key is revoked and its secret deleted, the current key stays', async () => {
    const before = await identityKeyPair(t.ws, 'gw');
    const staged = await stageRotation(t.ws, 'gw');
    const rolled = await rollbackRotation(t.ws, 'gw');
    expect(rolled).toMatchObject({ undone: 'staged', revokedGeneration: 2, secretDeleted: true, stage: 'idle' });
    expect(await t.keychain.get(secretAccount(staged.identity.id, 2))).toBeNull();
    expect((await identityKeyPair(t.ws, 'gw')).secretKey).toBe(before.secretKey);
    // The next rotation gets a fresh generation number.
    expect((await stageRotation(t.ws, 'gw')).generation).toBe(3);
  });

  it('rolls back a promotion: the previous key is current again, the promoted one revoked', async () => {
    const before = await identityKeyPair(t.ws, 'gw');
    const staged = await stageRotation(t.ws, 'gw');
    await promoteRotation(t.ws, 'gw', { force: true });
    const rolled = await rollbackRotation(t.ws, 'gw');
    expect(rolled).toMatchObject({ undone: 'promoted', revokedGeneration: 2, stage: 'idle' });
    expect(rolled.identity.publicKey).toBe(before.publicKey);
    expect(rolled.identity.generations.find((g) => g.generation === 1)!.graceUntil).toBeNull();
    expect(await t.keychain.get(secretAccount(staged.identity.id, 2))).toBeNull();
    expect((await identityKeyPair(t.ws, 'gw')).secretKey).toBe(before.secretKey);
    expect(rotationAllowlistEntries(await identity(), clock).map((e) => e.generation)).toEqual([1]);
  });

  it('resumes after a restart: a new workspace over the same folder and keychain sees the rotation and takes the next step', async () => {
    const staged = await stageRotation(t.ws, 'gw');
    const restarted = createWorkspace(t.home, t.keychain, () => clock);
    const view = await showIdentity(restarted, 'gw');
    expect(view.pending?.publicKey).toBe(staged.publicKey);
    expect((await rotationStatus(restarted, 'gw')).stage).toBe('staged');
    await recordRotationTest(restarted, 'gw', { endpoint: 'tcp://127.0.0.1:5555', verdict: 'ok', publicKey: staged.publicKey });
    const promoted = await promoteRotation(restarted, 'gw');
    expect(promoted.identity.publicKey).toBe(staged.publicKey);
    expect((await identityKeyPair(createWorkspace(t.home, t.keychain), 'gw', 'current')).publicKey).toBe(staged.publicKey);
  });

  it('cleans up a keychain item left by a crash between the keychain write and the document write', async () => {
    const { id } = await showIdentity(t.ws, 'gw');
    // A stage that wrote its secret and died before the document, and a finish that died before the delete.
    await t.keychain.set(secretAccount(id, 2), 'stray-secret-of-a-lost-stage-000000000000');
    await t.keychain.set(secretAccount(id, 7), 'stray-secret-of-a-lost-stage-000000000007');
    const staged = await stageRotation(t.ws, 'gw');
    expect(staged.straySecretsRemoved).toBe(2);
    expect(staged.generation).toBe(2);
    expect(derivePublicKey((await t.keychain.get(secretAccount(id, 2))) as SecretKey)).toBe(staged.publicKey);
    expect(await t.keychain.get(secretAccount(id, 7))).toBeNull();
    expect(await t.keychain.get(secretAccount(id, 1))).not.toBeNull();
  });

  it('revokes a leaked previous key, and refuses the current one unless confirmed', async () => {
    await stageRotation(t.ws, 'gw');
    await promoteRotation(t.ws, 'gw', { force: true });
    await expect(revokeKey(t.ws, 'gw', 2)).rejects.toThrow(/current key/);
    const revoked = await revokeKey(t.ws, 'gw', 1);
    expect(revoked).toMatchObject({ revokedGeneration: 1, secretDeleted: true, stage: 'idle' });
    expect(rotationAllowlistEntries(await identity(), clock).map((e) => e.generation)).toEqual([2]);
  });

  it('refuses with typed errors: a reason, its fields and the next steps as data, never command text', async () => {
    const refusal = async (work: Promise<unknown>): Promise<RotationRefusedError> => {
      const error = await work.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RotationRefusedError);
      const typed = error as RotationRefusedError;
      expect(typed.code).toBe('refused');
      expect(typed.message).not.toMatch(/curvekeep|--[a-z]/);
      return typed;
    };
    expect(await refusal(promoteRotation(t.ws, 'gw'))).toMatchObject({ refusal: { reason: 'no-pending-key', identity: 'gw' }, next: [{ action: 'stage', identity: 'gw' }] });
    expect(await refusal(rollbackRotation(t.ws, 'gw'))).toMatchObject({ refusal: { reason: 'nothing-to-roll-back' }, next: [] });

    const staged = await stageRotation(t.ws, 'gw');
    expect(await refusal(stageRotation(t.ws, 'gw'))).toMatchObject({
      refusal: { reason: 'in-progress', pendingGeneration: 2, stagedAt: clock.toISOString() },
      next: [{ action: 'promote', identity: 'gw' }, { action: 'rollback', identity: 'gw' }],
    });
    await recordRotationTest(t.ws, 'gw', { endpoint: 'tcp://127.0.0.1:1', verdict: 'unreachable', publicKey: staged.publicKey });
    expect(await refusal(promoteRotation(t.ws, 'gw'))).toMatchObject({
      refusal: { reason: 'untested', last: { endpoint: 'tcp://127.0.0.1:1', verdict: 'unreachable' } },
      next: [{ action: 'test' }, { action: 'promote', force: true }],
    });
    expect(await refusal(finishRotation(t.ws, 'gw'))).toMatchObject({ refusal: { reason: 'not-promoted' }, next: [{ action: 'promote' }] });

    await promoteRotation(t.ws, 'gw', { force: true, graceDays: 2 });
    const graceUntil = new Date(clock.getTime() + 2 * DAY).toISOString();
    expect(await refusal(finishRotation(t.ws, 'gw'))).toMatchObject({
      refusal: { reason: 'grace-period-runs', graceUntil },
      next: [{ action: 'finish', after: graceUntil }, { action: 'finish', force: true }],
    });
    expect(await refusal(revokeKey(t.ws, 'gw', 2))).toMatchObject({ refusal: { reason: 'current-key', generation: 2 }, next: [{ action: 'stage' }, { action: 'revoke', generation: 2, force: true }] });
    await expect(revokeKey(t.ws, 'gw', 9)).rejects.toThrow(UnknownGenerationError);
    expect((await rotationStatus(t.ws, 'gw')).next).toEqual([{ action: 'finish', identity: 'gw', after: graceUntil }, { action: 'rollback', identity: 'gw' }]);
  });
});
