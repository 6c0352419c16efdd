// A full rotation against a real pyzmq ROUTER behind a ThreadAuthenticator whose allowlist is a
// certificate folder, with the real keychain and the real link test.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { RefusedError } from '../../../src-main/core/errors.js';
import { generateIdentity, identityKeyPair } from '../../../src-main/core/identities/identities.js';
import { testLink } from '../../../src-main/core/link/curve-test.js';
import { distributeRotation } from '../../../src-main/core/rotation/distribute.js';
import { promoteRotation, rollbackRotation, stageRotation, testPendingKey } from '../../../src-main/core/rotation/rotation.js';
import { testRotation } from '../../../src-main/core/usecases/rotation.js';
import { type FolderRouter, startFolderRouter } from '../../helpers/rotation/folder-router.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const DAY = 86_400_000;

describe('rotation against a pyzmq server with a folder allowlist', () => {
  let t: TestWorkspace;
  let clock = new Date('2026-03-01T09:00:00Z');
  let dir: string;
  let router: FolderRouter;
  const server = generateKeyPair();

  beforeAll(async () => {
    t = testWorkspace('rotation-live', () => clock);
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-rotation-allow-'));
  });
  afterEach(async () => {
    await router?.stop();
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function linkWith(pair: { publicKey: string; secretKey: string }): Promise<string> {
    const result = await testLink({ endpoint: router.endpoint, serverKey: server.publicKey, client: pair, timeoutMs: 4000 });
    return result.verdict;
  }

  it('stages, is refused until allowed, passes, is promoted, survives the old key leaving, and rolls back', async () => {
    const { ws } = t;
    await generateIdentity(ws, { name: 'field-client', role: 'client' });
    const oldPair = await identityKeyPair(ws, 'field-client', 'current');

    // The server's allowlist holds the current key only; the link works.
    await distributeRotation(ws, 'field-client', { out: dir, flavour: 'pyzmq' });
    router = await startFolderRouter(server, dir);
    expect(await router.reload()).toBe(1);
    expect(await linkWith(oldPair)).toBe('ok');

    // Stage: the pending key is not allowed yet, so its test is rejected and promotion refused.
    const staged = await stageRotation(ws, 'field-client');
    expect(staged.stage).toBe('staged');
    const first = await testPendingKey(ws, 'field-client', { endpoint: router.endpoint, serverKey: server.publicKey, timeoutMs: 4000 });
    expect(first.result.verdict).toBe('rejected');
    expect(first.identity.pending?.lastTest?.verdict).toBe('rejected');
    // Both faces' advice (the use case's hint): the pending key is not handed out yet, not "add our key".
    const worded = await testRotation(ws, 'field-client', { endpoint: router.endpoint, serverKey: server.publicKey, timeoutMs: 4000 });
    expect(worded).toMatchObject({ proves: 'client-admitted', result: { verdict: 'rejected' } });
    expect(worded.result.hint).toBe('the server does not admit the pending key yet: hand it out to its allowlist, then test again');
    await expect(promoteRotation(ws, 'field-client')).rejects.toThrow(RefusedError);
    await expect(promoteRotation(ws, 'field-client')).rejects.toThrow(/no passing live test.*rejected/);

    // Distribute: the folder now carries both keys (and a QR of the pending one); the test passes.
    const distributed = await distributeRotation(ws, 'field-client', { out: dir, flavour: 'pyzmq' });
    expect(distributed.entries.map((e) => e.state).sort()).toEqual(['current', 'pending']);
    expect(readdirSync(dir).sort()).toEqual(['.curvekeep-owned.json', 'field-client.gen1.key', 'field-client.gen2.key', 'field-client.gen2.png']);
    expect(await router.reload()).toBe(2);
    const second = await testPendingKey(ws, 'field-client', { endpoint: router.endpoint, serverKey: server.publicKey, timeoutMs: 4000 });
    expect(second.result.verdict).toBe('ok');
    expect(second.stage).toBe('tested');

    // Promote: the new key is current and works; the old key still works during the grace period.
    const promoted = await promoteRotation(ws, 'field-client', { graceDays: 7 });
    expect(promoted.stage).toBe('promoted');
    expect(promoted.identity.publicKey).toBe(staged.publicKey);
    const newPair = await identityKeyPair(ws, 'field-client', 'current');
    expect(newPair.publicKey).toBe(staged.publicKey);
    expect(await linkWith(newPair)).toBe('ok');
    expect(await linkWith(oldPair)).toBe('ok');

    // The grace period ends: the old key leaves the allowlist; the new one keeps working.
    clock = new Date(clock.getTime() + 8 * DAY);
    const afterGrace = await distributeRotation(ws, 'field-client', { out: dir, flavour: 'pyzmq' });
    expect(afterGrace.removed.map((p) => p.split('/').pop()).sort()).toEqual(['field-client.gen1.key', 'field-client.gen2.png']);
    expect(await router.reload()).toBe(1);
    expect(await linkWith(newPair)).toBe('ok');
    expect(await linkWith(oldPair)).toBe('rejected');

    // Rollback: the old key is current again, and works against an allowlist that has it.
    const rolled = await rollbackRotation(ws, 'field-client');
    expect(rolled.undone).toBe('promoted');
    expect(rolled.identity.publicKey).toBe(oldPair.publicKey);
    expect((await identityKeyPair(ws, 'field-client', 'current')).secretKey).toBe(oldPair.secretKey);
    await distributeRotation(ws, 'field-client', { out: dir, flavour: 'pyzmq' });
    expect(readdirSync(dir).sort()).toEqual(['.curvekeep-owned.json', 'field-client.gen1.key']);
    expect(await router.reload()).toBe(1);
    expect(await linkWith(oldPair)).toBe('ok');
    expect(await linkWith(newPair)).toBe('rejected');
  });
});
