// The links channels through the one dispatcher against real peers on 127.0.0.1: our own CURVE
// responder and a pyzmq NULL server; the sweep as a job polled the way the Link tests view does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { type Responder, startResponder } from '../../../src-main/core/link/responder.js';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type RunningPeer, closedPort, startPeer, stopAllPeers } from '../../helpers/link/peers.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let tws: TestWorkspace;
let ipc: IpcCaller;
let responder: Responder;
let nullServer: RunningPeer;
const server = generateKeyPair();

const call = (channel: string, args: unknown) => ipc.call(channel, args);
const ok = (channel: string, args: unknown) => ipc.ok(channel, args);

beforeAll(async () => {
  tws = testWorkspace('ipc-links');
  ipc = ipcCaller(tws);
  responder = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server, allow: 'any' });
  nullServer = await startPeer('null-rep');
});

afterAll(async () => {
  await responder?.close();
  await stopAllPeers();
  await tws?.cleanup();
});

describe('links channels', () => {
  it('probes the mechanism of each peer', async () => {
    expect(await ok('links.probe', { endpoint: responder.endpoint })).toMatchObject({ outcome: 'zmtp', mechanism: 'CURVE' });
    expect(await ok('links.probe', { endpoint: nullServer.endpoint })).toMatchObject({ outcome: 'zmtp', mechanism: 'NULL' });
  });

  it('tests a link as an identity and never returns its secret', async () => {
    const identity = await ok('keys.generate', { name: 'tech-laptop', role: 'client' });
    const result = await ok('links.test', { endpoint: responder.endpoint, serverKey: server.publicKey, as: 'tech-laptop', timeoutMs: 3000 });
    expect(result).toMatchObject({ verdict: 'ok', as: { name: 'tech-laptop', publicKey: identity.publicKey, oneTime: false } });
    const secret = await tws.keychain.get((await tws.keychain.accounts())[0]!);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('gives plaintext for a NULL server with what to do next', async () => {
    const result = await ok('links.test', { endpoint: nullServer.endpoint, serverKey: server.publicKey, timeoutMs: 3000 });
    expect(result.verdict).toBe('plaintext');
    expect(result.hint).toMatch(/enable CURVE/);
  });

  it('refuses a test without a server key or with both', async () => {
    expect(await call('links.test', { endpoint: responder.endpoint })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    expect(await call('links.test', { endpoint: responder.endpoint, serverKey: server.publicKey, peer: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-arguments' },
    });
  });

  it('sweeps every peer with an endpoint as a job and records history', async () => {
    const closed = await closedPort();
    await tws.ws.store.update((tx) => {
      const at = tx.now.toISOString();
      const peer = (name: string, endpoint: string, publicKey: string) => ({
        id: `pe_${name}`, name, publicKey, endpoints: [endpoint], tags: [], allowed: true, createdAt: at, verification: { state: 'unverified' as const },
      });
      tx.data.peers.push(peer('echo', responder.endpoint, server.publicKey), peer('plain', nullServer.endpoint, server.publicKey), peer('gone', `tcp://127.0.0.1:${closed}`, server.publicKey));
    });
    const started = await ok('links.sweepStart', { timeoutMs: 3000 });
    expect(started.total).toBe(3);
    let progress: Record<string, unknown> = {};
    const rows: Array<{ peerName: string; verdict: string }> = [];
    for (let i = 0; i < 100; i++) {
      progress = await ok('links.sweepProgress', { jobId: started.jobId, from: rows.length });
      rows.push(...(progress.results as typeof rows));
      if (progress.state !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(progress).toMatchObject({ state: 'done', done: 3, total: 3 });
    expect(Object.fromEntries(rows.map((r) => [r.peerName, r.verdict]))).toEqual({ echo: 'ok', plain: 'plaintext', gone: 'unreachable' });
    const history = await ok('links.history', {});
    const echo = (history.peers as Array<{ name: string; link: { lastVerdict: string; lastSuccessAt: string | null } }>).find((p) => p.name === 'echo')!;
    expect(echo.link.lastVerdict).toBe('ok');
    expect(echo.link.lastSuccessAt).not.toBeNull();
    expect(await call('links.sweepProgress', { jobId: 'job_' + '0'.repeat(32) })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
