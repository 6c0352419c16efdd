// The rotation channels through the one dispatcher: a rotation against our own CURVE responder
// on 127.0.0.1 (real keychain, real sockets) as the wizard drives it, and a rollback.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { type Responder, startResponder } from '../../../src-main/core/link/responder.js';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let tws: TestWorkspace;
let ipc: IpcCaller;
let responder: Responder;
let outDir: string;
const server = generateKeyPair();

const call = (channel: string, args: unknown) => ipc.call(channel, args);
const ok = (channel: string, args: unknown) => ipc.ok(channel, args);

beforeAll(async () => {
  tws = testWorkspace('ipc-rotation');
  outDir = mkdtempSync(join(tmpdir(), 'curvekeep-distribute-'));
  ipc = ipcCaller(tws, async () => outDir);
  responder = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server, allow: 'any' });
});

afterAll(async () => {
  await responder?.close();
  await tws?.cleanup();
  rmSync(outDir, { recursive: true, force: true });
});

describe('rotation channels', () => {
  it('stages, distributes, tests, promotes and finishes', async () => {
    await ok('keys.generate', { name: 'gateway', role: 'client', rotateEveryDays: 90 });
    expect(await ok('rotation.status', { ref: 'gateway' })).toMatchObject({ stage: 'idle' });
    const staged = await ok('rotation.stage', { ref: 'gateway' });
    expect(staged).toMatchObject({ stage: 'staged', generation: 2 });

    const refused = await call('rotation.promote', { ref: 'gateway' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'refused' } });

    const distributed = await ok('rotation.distribute', { ref: 'gateway' });
    expect(distributed.dir).toBe(outDir);
    expect(readdirSync(outDir).sort()).toEqual(['.curvekeep-owned.json', 'gateway.gen1.key', 'gateway.gen2.key', 'gateway.gen2.png']);
    expect(distributed.qrSvg).toMatch(/^<svg|<\?xml/);

    const tested = await ok('rotation.test', { ref: 'gateway', endpoint: responder.endpoint, serverKey: server.publicKey, timeoutMs: 3000 });
    expect(tested).toMatchObject({ stage: 'tested', result: { verdict: 'ok' } });

    const promoted = await ok('rotation.promote', { ref: 'gateway', graceDays: 7 });
    expect(promoted).toMatchObject({ stage: 'promoted', identity: { generation: 2 } });
    expect(await call('rotation.finish', { ref: 'gateway' })).toMatchObject({ ok: false, error: { code: 'refused' } });
    const finished = await ok('rotation.finish', { ref: 'gateway', force: true });
    expect(finished).toMatchObject({ stage: 'idle', retiredGeneration: 1, secretDeleted: true });
    expect(JSON.stringify(finished)).not.toMatch(/secretKey/);
  });

  it('rolls a promotion back to the previous key', async () => {
    await ok('keys.generate', { name: 'sensor', role: 'device' });
    await ok('rotation.stage', { ref: 'sensor' });
    await ok('rotation.promote', { ref: 'sensor', force: true });
    const back = await ok('rotation.rollback', { ref: 'sensor' });
    expect(back).toMatchObject({ stage: 'idle', undone: 'promoted', revokedGeneration: 2, identity: { generation: 1 } });
  });

  it('revokes a leaked previous key, and the current key only when forced', async () => {
    await ok('keys.generate', { name: 'leaky', role: 'client' });
    await ok('rotation.stage', { ref: 'leaky' });
    await ok('rotation.promote', { ref: 'leaky', force: true });
    const refused = await call('rotation.revoke', { ref: 'leaky', generation: 2 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'refused' } });
    expect(JSON.stringify(refused)).not.toMatch(/curvekeep|--force/);
    const revoked = await ok('rotation.revoke', { ref: 'leaky', generation: 1 });
    expect(revoked).toMatchObject({ stage: 'idle', revokedGeneration: 1, secretDeleted: true, identity: { generation: 2 } });
    expect(await call('rotation.revoke', { ref: 'leaky', generation: 9 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('lists key ages against policies for the timeline', async () => {
    const schedule = await ok('rotation.schedule', {});
    const items = schedule.items as Array<{ name: string; rotateEveryDays: number | null; daysLeft: number | null; stage: string }>;
    expect(items.find((i) => i.name === 'gateway')).toMatchObject({ rotateEveryDays: 90, daysLeft: 89, stage: 'idle' });
  });
});
