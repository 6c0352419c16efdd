// A SERVER key rotation against real pyzmq clients, each step a separate CLI process (issue 12):
// stage -> distribute -> serve --pending (a second endpoint) -> test -> promote -> finish. The
// gate must fail while no listener presents the pending key, and pass only once one does. One
// pyzmq client holds the old server key (exported before the rotation), one the new (from the
// distributed certificate); both load it with zmq.auth.load_certificate. Loopback only; every
// wait is bounded (serve start 10 s, clients 2 s, tests 3 s, CLI runs 30 s).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { killServes, runCli, serveCli } from '../../helpers/cli.js';
import { ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const PYTHON = '/usr/bin/python3';
const CZMQ_CHECK = fileURLToPath(new URL('../../helpers/rotation/czmq_check.py', import.meta.url));
const CLIENT = fileURLToPath(new URL('../../helpers/rotation/server_key_client.py', import.meta.url));

let t: TestWorkspace;
const serve = (args: ReadonlyArray<string>) => serveCli(args, t.env, { timeoutMs: 10_000 });

/** A real pyzmq client that knows the server by a certificate file: did the server echo? */
async function pyzmqClient(endpoint: string, serverCert: string): Promise<boolean> {
  const child = spawn(PYTHON, [CLIENT, '--endpoint', endpoint, '--server-cert', serverCert, '--timeout', '2000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`pyzmq client failed (${code}): ${err}`);
  return (JSON.parse(out.trim()) as { echo: boolean }).echo;
}

const cli = (args: ReadonlyArray<string>) => runCli(['--json', ...args], t.env);

interface Tested {
  readonly proves: string;
  readonly result: { readonly verdict: string; readonly hint: string };
  readonly stage: string;
}

beforeAll(async () => {
  t = testWorkspace('server-key-rotation');
  expect((await cli(['keys', 'generate', '--name', 'gateway', '--role', 'server'])).code).toBe(0);
  expect((await cli(['keys', 'generate', '--name', 'ops', '--role', 'client'])).code).toBe(0);
});

afterAll(async () => {
  killServes();
  await t.cleanup();
});

describe('server key rotation against pyzmq clients', () => {
  test('stage, distribute, serve --pending, test, promote, finish: the gate fails until the pending key is served', async () => {
    const files = mkdtempSync(join(tmpdir(), 'curvekeep-server-rotation-'));
    const oldDir = join(files, 'old');
    const dist = join(files, 'dist');
    mkdirSync(oldDir);

    // The clients' copy of the server key before the rotation (pyzmq names: gateway.key).
    const exported = await cli(['keys', 'export', 'gateway', '--format', 'pyzmq', '--out', join(oldDir, 'gateway.key')]);
    expect(exported.code, exported.stderr).toBe(0);
    const oldCert = join(oldDir, 'gateway.key');

    // The old endpoint presents the current key; the old client connects.
    const oldEndpoint = await serve(['--as', 'gateway', '--allow', 'any']);
    expect(await pyzmqClient(oldEndpoint.endpoint, oldCert)).toBe(true);

    // Nothing staged: serve --pending refuses clearly and starts nothing.
    const refused = await runCli(['serve', 'tcp://127.0.0.1:0', '--as', 'gateway', '--pending'], t.env, undefined, 15_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/gateway has no pending key/);

    // Stage.
    const staged = await cli(['rotate', 'gateway', '--stage']);
    expect(staged.code, staged.stderr).toBe(0);
    const pendingKey = staged.json<{ publicKey: string }>().publicKey;

    // The gate against the listener still presenting the OLD key fails (the bug: it passed).
    const early = await cli(['rotate', 'gateway', '--test', oldEndpoint.endpoint, '--timeout', '3000']);
    expect(early.code, early.stderr).toBe(1);
    const earlyJson = early.json<Tested>();
    expect(earlyJson.proves).toBe('server-presents');
    expect(earlyJson.result.verdict).toBe('wrong-server-key');
    // The advice is the rotation's (restart the listener), not a peer test's ("re-import the peer's key").
    expect(earlyJson.result.hint).toMatch(/^this endpoint still presents the current key: start a listener with the pending key there/);
    const earlyText = await runCli(['rotate', 'gateway', '--test', oldEndpoint.endpoint, '--timeout', '3000'], t.env);
    expect(earlyText.stdout).toMatch(/^hint: this endpoint still presents the current key/m);
    expect(earlyText.stdout).not.toMatch(/re-import/);
    expect((await cli(['rotate', 'gateway', '--promote'])).code).toBe(2);

    // A server key is not tested against a pasted key or a peer: that proved nothing.
    const pasted = await cli(['rotate', 'gateway', '--test', oldEndpoint.endpoint, '--server-key', pendingKey]);
    expect(pasted.code).toBe(2);
    expect(pasted.stderr).toMatch(/gateway is a server/);

    // Distribute: the new server public cert (and the current one) and a QR of the new key.
    const distributed = await cli(['rotate', 'gateway', '--distribute', '--out', dist, '--format', 'pyzmq']);
    expect(distributed.code, distributed.stderr).toBe(0);
    expect(readdirSync(dist).sort()).toEqual(['.curvekeep-owned.json', 'gateway.gen1.key', 'gateway.gen2.key', 'gateway.gen2.png']);
    const newCert = join(dist, 'gateway.gen2.key');
    expect(distributed.json<{ role: string; pendingFile: string; qrFile: string }>()).toMatchObject({ role: 'server', pendingFile: newCert, qrFile: join(dist, 'gateway.gen2.png') });
    // The zcert flavour of the same: CZMQ (zcert_load, ctypes) reads the new server key from it.
    const zcertDist = join(files, 'dist-zcert');
    const zcert = await cli(['rotate', 'gateway', '--distribute', '--out', zcertDist, '--format', 'zcert']);
    expect(zcert.code, zcert.stderr).toBe(0);
    const czmq = JSON.parse(execFileSync(PYTHON, [CZMQ_CHECK, 'cert', join(zcertDist, 'gateway.gen2.key')], { encoding: 'utf8', timeout: 10_000 })) as Array<{ public: string; secret: string | null }>;
    expect(czmq).toEqual([{ public: pendingKey, secret: null }]);

    // A second endpoint presents the pending key: the new client connects there, not at the old one.
    const newEndpoint = await serve(['--as', 'gateway', '--pending', '--allow', 'any']);
    await expect.poll(() => newEndpoint.out(), { timeout: 5000 }).toContain(pendingKey);
    expect(await pyzmqClient(newEndpoint.endpoint, newCert)).toBe(true);
    expect(await pyzmqClient(oldEndpoint.endpoint, newCert)).toBe(false);
    expect(await pyzmqClient(newEndpoint.endpoint, oldCert)).toBe(false);

    // The gate against the second endpoint passes (as ops, the only client identity).
    const passed = await cli(['rotate', 'gateway', '--test', newEndpoint.endpoint, '--timeout', '3000']);
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.json<Tested>()).toMatchObject({ proves: 'server-presents', result: { verdict: 'ok' }, stage: 'tested' });

    // Promote: both clients keep working, each on its endpoint (the grace period).
    const promoted = await cli(['rotate', 'gateway', '--promote']);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.json<{ identity: { publicKey: string } }>().identity.publicKey).toBe(pendingKey);
    expect(await pyzmqClient(oldEndpoint.endpoint, oldCert)).toBe(true);
    expect(await pyzmqClient(newEndpoint.endpoint, newCert)).toBe(true);

    // Finish: the old endpoint goes; `serve` without --pending now presents the new key.
    const finished = await cli(['rotate', 'gateway', '--finish', '--force']);
    expect(finished.code, finished.stderr).toBe(0);
    await oldEndpoint.stop();
    await newEndpoint.stop();
    const after = await serve(['--as', 'gateway', '--allow', 'any']);
    expect(await pyzmqClient(after.endpoint, newCert)).toBe(true);
    expect(await pyzmqClient(after.endpoint, oldCert)).toBe(false);
    await after.stop();
    expect(existsSync(oldCert)).toBe(true);
    rmSync(files, { recursive: true, force: true });
  }, 180_000);

  test('serve --pending refuses an identity that is not a server', async () => {
    const result = await runCli(['serve', 'tcp://127.0.0.1:0', '--as', 'ops', '--pending'], t.env, undefined, 15_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ops is not a server identity/);
  });

  test('references resolve: --peer accepts an own identity on both faces; a name held by a peer and an identity is a clear error', async () => {
    const ipc = ipcCaller(t);
    expect((await cli(['rotate', 'ops', '--stage'])).code).toBe(0);
    const gateway = await serve(['--as', 'gateway', '--allow', 'ops']);

    // CLI: the client key's pending key against our own server, named as the server to test.
    const viaCli = await cli(['rotate', 'ops', '--test', gateway.endpoint, '--peer', 'gateway', '--timeout', '3000']);
    expect(viaCli.code, viaCli.stdout + viaCli.stderr).toBe(0);
    expect(viaCli.json<Tested & { server: unknown }>()).toMatchObject({ proves: 'client-admitted', result: { verdict: 'ok' }, server: { kind: 'identity', name: 'gateway' } });
    // IPC: the same use case.
    const viaIpc = await ipc.ok('rotation.test', { ref: 'ops', endpoint: gateway.endpoint, peer: 'gateway', timeoutMs: 3000 });
    expect(viaIpc).toMatchObject({ result: { verdict: 'ok' } });

    // A peer of the same name: ambiguous, on both faces, naming both.
    const other = await cli(['keys', 'generate', '--name', 'elsewhere', '--role', 'server']);
    const otherKey = other.json<{ publicKey: string }>().publicKey;
    const added = await cli(['peers', 'add', '--name', 'gateway', '--key', otherKey]);
    expect(added.code, added.stderr).toBe(0);
    const ambiguous = await cli(['rotate', 'ops', '--test', gateway.endpoint, '--peer', 'gateway']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/"gateway" names both peer gateway \(id \S+\) and own identity gateway \(id \S+\)/);
    const ambiguousIpc = await ipc.call('rotation.test', { ref: 'ops', endpoint: gateway.endpoint, peer: 'gateway' });
    expect(ambiguousIpc.ok).toBe(false);
    if (!ambiguousIpc.ok) expect(ambiguousIpc.error.code).toBe('ambiguous-server-ref');
    await gateway.stop();
  }, 120_000);

  test('the app face tests a server key the same way: fails at the old key, passes where serve --pending presents the new one', async () => {
    const ipc = ipcCaller(t);
    expect((await cli(['rotate', 'elsewhere', '--stage'])).code).toBe(0);
    const old = await serve(['--as', 'elsewhere', '--allow', 'any']);
    const early = await ipc.ok('rotation.test', { ref: 'elsewhere', endpoint: old.endpoint, timeoutMs: 3000 });
    expect(early.result).toMatchObject({ verdict: 'wrong-server-key', hint: expect.stringMatching(/^this endpoint still presents the current key/) });
    const pending = await serve(['--as', 'elsewhere', '--pending', '--allow', 'any']);
    const passed = await ipc.ok('rotation.test', { ref: 'elsewhere', endpoint: pending.endpoint, timeoutMs: 3000 });
    expect(passed).toMatchObject({ stage: 'tested', result: { verdict: 'ok' } });
    await old.stop();
    await pending.stop();
  }, 120_000);
});
