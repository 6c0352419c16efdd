// Issue 13 through the one dispatcher, on the real keychain: the Keys list as lean rows in pages
// (keys.rows; the detail from keys.show), and a single link test that the page can cancel
// (links.test with a testId, links.testCancel) against a TCP listener on 127.0.0.1 that never answers.
import { type Server, type Socket, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let tws: TestWorkspace;
let ipc: IpcCaller;
let silent: Server;
let silentPort = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  tws = testWorkspace('ipc-lists-tests');
  ipc = ipcCaller(tws);
  // Accepts and says nothing: a CURVE test waits here until its timeout, unless cancelled.
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent?.close(() => resolve()));
  await tws?.cleanup();
});

describe('keys.rows', () => {
  it('gives lean rows in pages, in store order, with the total; keys.show gives the detail', async () => {
    for (const name of ['gw-a', 'gw-b', 'gw-c']) await ipc.ok('keys.generate', { name, role: name === 'gw-a' ? 'server' : 'client', rotateEveryDays: 30 });
    const first = await ipc.ok('keys.rows', { limit: 2 });
    expect(first.total).toBe(3);
    expect(first.offset).toBe(0);
    const rows = first.rows as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.name)).toEqual(['gw-a', 'gw-b']);
    expect(Object.keys(rows[0]!).sort()).toEqual(['ageDays', 'due', 'dueAt', 'id', 'name', 'publicKey', 'role', 'rotating', 'state', 'tags']);
    expect(rows[0]).toMatchObject({ role: 'server', state: 'current', rotating: false, due: 'ok' });
    const rest = await ipc.ok('keys.rows', { offset: 2 });
    expect((rest.rows as Array<{ name: string }>).map((r) => r.name)).toEqual(['gw-c']);
    expect(rest).toMatchObject({ total: 3, offset: 2 });
    const shown = await ipc.ok('keys.show', { ref: rows[1]!.id });
    expect(shown).toMatchObject({ name: 'gw-b', publicKey: rows[1]!.publicKey, generations: [expect.objectContaining({ generation: 1 })] });
    expect(await ipc.call('keys.rows', { limit: 0 })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
  });

  it('marks a rotation under way', async () => {
    await ipc.ok('rotation.stage', { ref: 'gw-c' });
    const rows = (await ipc.ok('keys.rows', {})).rows as Array<{ name: string; rotating: boolean }>;
    expect(rows.find((r) => r.name === 'gw-c')?.rotating).toBe(true);
    expect(rows.find((r) => r.name === 'gw-b')?.rotating).toBe(false);
  });
});

describe('links.test cancel', () => {
  it('stops a running test by its id: the test answers at once with a refusal, not after its timeout', async () => {
    const server = generateKeyPair();
    const testId = 'cancel-me-0001';
    const running = ipc.call('links.test', { endpoint: `tcp://127.0.0.1:${silentPort}`, serverKey: server.publicKey, oneTimeKey: true, timeoutMs: 30_000, testId });
    // The test holds its id once it has started, which on a loaded machine takes more than a
    // moment: cancel until it is found (a cancel of an id not running changes nothing).
    await expect.poll(async () => (await ipc.ok('links.testCancel', { testId })).cancelled, { timeout: 10_000, interval: 100 }).toBe(true);
    const outcome = await running;
    expect(outcome).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringMatching(/cancelled/) } });
    // (A test left to its 30 s timeout answers ok: true with the verdict `timeout` instead.)
    // Nothing by that id runs any more.
    expect(await ipc.ok('links.testCancel', { testId })).toEqual({ cancelled: false });
  });

  it('refuses a malformed test id', async () => {
    expect(await ipc.call('links.testCancel', { testId: '../x' })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
  });
});
