// Through the bridge, every folder the page writes to lies inside the folder the bridge was
// started with (--write-root, CURVEKEEP_BRIDGE_WRITE_ROOT, default DATA/exports), and the page
// names it only by the handle it was given: a path in a call is refused before a handler runs.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBridge, startBridge } from '../../../src-main/bridge/serve.js';
import { OsKeychain } from '../../../src-main/keychain/os-keychain.js';

const SERVICE = `curvekeep-test-write-root-${process.pid}`;
let home: string;
let writeRoot: string;
let elsewhere: string;
let bridge: RunningBridge;

function call(channel: string, args: unknown): Promise<{ status: number; body: { ok: boolean; result?: Record<string, unknown>; error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: bridge.port, method: 'POST', path: `/ipc/${channel}`, headers: { 'content-type': 'application/json', 'x-curvekeep-token': bridge.token }, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(JSON.stringify(args));
  });
}

beforeAll(async () => {
  process.env.CURVEKEEP_KEYCHAIN_SERVICE = SERVICE;
  home = mkdtempSync(join(tmpdir(), 'curvekeep-write-root-home-'));
  writeRoot = mkdtempSync(join(tmpdir(), 'curvekeep-write-root-'));
  elsewhere = mkdtempSync(join(tmpdir(), 'curvekeep-write-root-elsewhere-'));
  bridge = await startBridge({ home, rendererRoot: home, appVersion: '0.0.0-test', writeRoot, log: () => undefined });
  expect((await call('keys.generate', { name: 'gateway', role: 'client' })).body.ok).toBe(true);
  expect((await call('rotation.stage', { ref: 'gateway' })).body.ok).toBe(true);
});
afterAll(async () => {
  await bridge?.close();
  const keychain = new OsKeychain(SERVICE);
  for (const account of await keychain.accounts()) await keychain.delete(account);
  for (const dir of [home, writeRoot, elsewhere]) rmSync(dir, { recursive: true, force: true });
});

describe('the bridge write root', () => {
  it('hands out folders inside the write root, as handles', async () => {
    const chosen = await call('rotation.chooseFolder', {});
    const folder = chosen.body.result!.folder as { handle: string; path: string };
    expect(folder.path.startsWith(`${writeRoot}/`)).toBe(true);
    const distributed = await call('rotation.distribute', { ref: 'gateway', folder: folder.handle });
    expect(distributed.body.ok).toBe(true);
    expect(readdirSync(folder.path)).toContain('gateway.gen2.key');
  });

  it('refuses a path in place of a handle, and writes nothing there', async () => {
    const refused = await call('rotation.distribute', { ref: 'gateway', folder: elsewhere });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('invalid-arguments');
    const legacy = await call('rotation.distribute', { ref: 'gateway', out: elsewhere });
    expect(legacy.body.ok).toBe(false);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
