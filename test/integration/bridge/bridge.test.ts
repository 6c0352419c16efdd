// The browser bridge over real HTTP on 127.0.0.1: who may call (token, Host, Origin), what is
// refused before a handler runs, the static files with their CSP, and the real process printing
// its one line. Calls reach the real handlers, core and keychain.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/shell/content-policy.js';
import { type RunningBridge, startBridge } from '../../../src-main/bridge/serve.js';
import { OsKeychain } from '../../../src-main/keychain/os-keychain.js';

const root = join(import.meta.dirname, '..', '..', '..');
const SERVICE = `curvekeep-test-bridge-${process.pid}`;

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function send(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(options.body);
  });
}

let home: string;
let rendererRoot: string;
let bridge: RunningBridge;
const logged: string[] = [];

function call(channel: string, args: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return send(bridge.port, {
    method: 'POST',
    path: `/ipc/${channel}`,
    headers: { 'content-type': 'application/json', 'x-curvekeep-token': bridge.token, ...headers },
    body: JSON.stringify(args),
  });
}

const json = (reply: Reply) => JSON.parse(reply.body) as { ok: boolean; result?: Record<string, unknown>; error?: { code: string; message: string } };

beforeAll(async () => {
  process.env.CURVEKEEP_KEYCHAIN_SERVICE = SERVICE;
  home = mkdtempSync(join(tmpdir(), 'curvekeep-bridge-home-'));
  rendererRoot = mkdtempSync(join(tmpdir(), 'curvekeep-bridge-renderer-'));
  mkdirSync(join(rendererRoot, 'assets'));
  writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html><title>Curvekeep</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(rendererRoot, 'assets', 'app.js'), 'document.title = "ready";');
  bridge = await startBridge({ home, rendererRoot, appVersion: '0.0.0-test', log: (line) => logged.push(line) });
});

afterAll(async () => {
  await bridge?.close();
  const keychain = new OsKeychain(SERVICE);
  for (const account of await keychain.accounts().catch(() => [])) await keychain.delete(account);
  rmSync(home, { recursive: true, force: true });
  rmSync(rendererRoot, { recursive: true, force: true });
});

describe('bridge: where it listens', () => {
  it('prints a page URL with a 32-byte token, on 127.0.0.1', () => {
    expect(bridge.pageUrl).toBe(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`);
    expect(Buffer.from(bridge.token, 'base64url')).toHaveLength(32);
  });

  it('is not reachable on any other address of this machine', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal)
      .map((a) => a!.address);
    for (const address of [...others, '::1']) {
      const reached = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: address, port: bridge.port, timeout: 3000 });
        const done = (reachable: boolean) => {
          socket.destroy();
          resolve(reachable);
        };
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
        socket.once('timeout', () => done(false));
      });
      expect(reached, address).toBe(false);
    }
  });
});

describe('bridge: who may call', () => {
  it('answers app.info with the token', async () => {
    const reply = await call('app.info', {});
    expect(reply.status).toBe(200);
    expect(json(reply)).toEqual({
      ok: true,
      result: { name: 'Curvekeep', version: '0.0.0-test', dataFolder: home, keychain: `OS keychain, service "${SERVICE}"`, shell: 'bridge', platform: process.platform, store: { kind: 'local', where: home, login: null, reachable: true } },
    });
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses a call without the token (401)', async () => {
    const reply = await send(bridge.port, { method: 'POST', path: '/ipc/app.info', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(reply.status).toBe(401);
    expect(json(reply).error?.code).toBe('token-required');
  });

  it('refuses the token in the URL instead of the header (401)', async () => {
    const reply = await send(bridge.port, { method: 'POST', path: `/ipc/app.info?token=${bridge.token}`, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(reply.status).toBe(401);
  });

  it.each([
    ['a wrong token', () => 'A'.repeat(43)],
    ['a token one character off', () => bridge.token.slice(0, -1) + (bridge.token.endsWith('A') ? 'B' : 'A')],
    ['a truncated token', () => bridge.token.slice(0, 10)],
  ])('refuses %s (403)', async (_what, token) => {
    const reply = await call('app.info', {}, { 'x-curvekeep-token': token() });
    expect(reply.status).toBe(403);
    expect(json(reply).error?.code).toBe('foreign-sender');
  });

  it.each([
    ['a rebound name', { host: `evil.example:${0}` }],
    ['localhost instead of 127.0.0.1', { host: 'localhost:PORT' }],
    ['another port', { host: '127.0.0.1:1' }],
    ['another site as Origin', { origin: 'https://evil.example' }],
    ['our host under another scheme as Origin', { origin: 'https://127.0.0.1:PORT' }],
    ['the literal null Origin', { origin: 'null' }],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    ['a same-site fetch from another port', { 'sec-fetch-site': 'same-site' }],
  ])('refuses %s even with the token (403)', async (_what, headers) => {
    const resolved = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace('PORT', String(bridge.port))]));
    const reply = await call('app.info', {}, resolved);
    expect(reply.status).toBe(403);
    expect(json(reply).error?.code).toMatch(/^foreign-(host|origin)$/);
    expect(json(reply).ok).toBe(false);
  });

  it('accepts our own Origin', async () => {
    const reply = await call('app.info', {}, { origin: bridge.origin, 'sec-fetch-site': 'same-origin' });
    expect(reply.status).toBe(200);
  });

  it('refuses pages and files to a rebound Host too', async () => {
    const reply = await send(bridge.port, { path: '/', headers: { host: `evil.example:${bridge.port}` } });
    expect(reply.status).toBe(403);
    expect(reply.body).not.toContain('<title>');
  });
});

describe('bridge: what is refused before a handler runs', () => {
  it('an unknown channel (404)', async () => {
    const reply = await call('keys.dumpSecrets', {});
    expect(reply.status).toBe(404);
    expect(json(reply).error?.code).toBe('unknown-channel');
  });

  it('arguments that do not match the schema (400)', async () => {
    const reply = await call('keys.show', { ref: 7 });
    expect(reply.status).toBe(400);
    expect(json(reply).error).toMatchObject({ code: 'invalid-arguments' });
    expect(json(reply).error?.message).toMatch(/ref/);
  });

  it('a body that is not JSON (400), not JSON-typed (415), too large (413), or not a POST (405)', async () => {
    const headers = { 'content-type': 'application/json', 'x-curvekeep-token': bridge.token };
    expect((await send(bridge.port, { method: 'POST', path: '/ipc/app.info', headers, body: '{nope' })).status).toBe(400);
    expect((await send(bridge.port, { method: 'POST', path: '/ipc/app.info', headers: { ...headers, 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    const big = JSON.stringify({ ref: 'x'.repeat(1_100_000) });
    const tooLarge = await send(bridge.port, { method: 'POST', path: '/ipc/keys.show', headers, body: big }).catch(() => ({ status: 413 }) as Reply);
    expect(tooLarge.status).toBe(413);
    const get = await send(bridge.port, { path: '/ipc/app.info', headers: { 'x-curvekeep-token': bridge.token } });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });
});

describe('bridge: keys through the real core and keychain', () => {
  it('generates, lists, shows and deletes an identity; no result carries its secret', async () => {
    const generated = json(await call('keys.generate', { name: 'gateway-07', role: 'server', endpoints: ['tcp://127.0.0.7:5555'] }));
    expect(generated.ok).toBe(true);
    const identity = generated.result as { id: string; publicKey: string; safetyCode: string };
    expect(identity.publicKey).toHaveLength(40);
    expect(identity.safetyCode).toMatch(/^(\d{5} ){5}\d{5}$/);

    const keychain = new OsKeychain(SERVICE);
    const secret = await keychain.get(`identity:${identity.id}:1`);
    expect(secret).toHaveLength(40);

    const listed = await call('keys.list', {});
    const shown = await call('keys.show', { ref: 'gateway-07' });
    expect((json(listed).result as { identities: Array<{ name: string }> }).identities.map((i) => i.name)).toEqual(['gateway-07']);
    expect(json(shown).result).toMatchObject({ id: identity.id, role: 'server', state: 'current' });

    const duplicate = await call('keys.generate', { name: 'gateway-07' });
    expect(duplicate.status).toBe(200);
    expect(json(duplicate)).toMatchObject({ ok: false, error: { code: 'duplicate-name' } });

    const unconfirmed = await call('keys.delete', { ref: 'gateway-07' });
    expect(unconfirmed.status).toBe(400);
    const deleted = json(await call('keys.delete', { ref: 'gateway-07', confirm: true }));
    expect(deleted).toEqual({ ok: true, result: { id: identity.id, name: 'gateway-07', secretsRemoved: 1 } });
    expect(await keychain.get(`identity:${identity.id}:1`)).toBeNull();

    const missing = json(await call('keys.show', { ref: 'gateway-07' }));
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    for (const text of [JSON.stringify([generated, json(listed), json(shown), deleted]), logged.join('\n')]) expect(text).not.toContain(secret!);
  });
});

describe('bridge: the page', () => {
  it('serves index.html for the page URL and routes, with the CSP and no-referrer', async () => {
    for (const path of [`/?token=${bridge.token}`, '/keys']) {
      const reply = await send(bridge.port, { path });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(reply.body).toContain('<title>Curvekeep</title>');
      expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves assets with their type and refuses paths out of the folder', async () => {
    const script = await send(bridge.port, { path: '/assets/app.js' });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    // (URL parsing folds /%2e%2e/ into /../ and resolves it before the folder check; an encoded
    // slash is not folded, and meets the check itself.)
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/..%2f..%2fpackage.json', '/assets/missing.js']) {
      const reply = await send(bridge.port, { path });
      expect(reply.status, path).toBe(404);
      expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    }
  });
});

describe('npm run web (the real process)', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints exactly one line, serves, and stops on SIGINT and SIGTERM', async () => {
    const script = join(root, 'dist', 'main', 'bridge', 'serve.js');
    expect(existsSync(script), 'run `npm run build:main` first (npm test does)').toBe(true);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      child = spawn(process.execPath, [script], { env: { ...process.env, CURVEKEEP_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no UI line within 10 s')), 10_000);
        child!.stdout!.on('data', () => {
          if (!stdout.includes('\n')) return;
          clearTimeout(timer);
          resolve(stdout);
        });
        child!.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
      });
      const match = /^UI: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})\n$/.exec(line);
      expect(match, line).not.toBeNull();
      const reply = await send(Number(match![1]), {
        method: 'POST',
        path: '/ipc/app.info',
        headers: { 'content-type': 'application/json', 'x-curvekeep-token': match![2]! },
        body: '{}',
      });
      expect(json(reply)).toMatchObject({ ok: true, result: { shell: 'bridge', dataFolder: home } });
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});

/** Sends a POST's headers and the first bytes of a body it says is `declared` bytes long, and
 *  waits for the answer without sending the rest. */
function partialPost(port: number, headers: Record<string, string>, declared: number): Promise<{ status: number; head: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let head = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 10 s while the body was still being sent'));
    }, 10_000);
    socket.on('connect', () => {
      const lines = [`POST /ipc/app.info HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Content-Type: application/json', `Content-Length: ${declared}`];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n{"padding":"`);
    });
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      // The server closes the connection rather than read the rest of the body.
      socket.once('close', () => resolve({ status, head, closed: true }));
      setTimeout(() => {
        socket.destroy();
        resolve({ status, head, closed: false });
      }, 5_000).unref();
    });
    socket.on('error', reject);
  });
}

describe('bridge: the token and the caller are checked before the body is read', () => {
  it('refuses a call without the token at once, without waiting for its body', async () => {
    const reply = await partialPost(bridge.port, {}, 512 * 1024);
    expect(reply.status).toBe(401);
    expect(reply.head).toMatch(/\r\nconnection: close\r\n/i);
    expect(reply.closed).toBe(true);
  });

  it('refuses a wrong token and a foreign Origin at once, without waiting for the body', async () => {
    expect((await partialPost(bridge.port, { 'x-curvekeep-token': 'A'.repeat(43) }, 512 * 1024)).status).toBe(403);
    expect((await partialPost(bridge.port, { 'x-curvekeep-token': bridge.token, Origin: 'https://evil.example' }, 512 * 1024)).status).toBe(403);
  });

  it('with the right token, waits for the whole body (the check above can fail)', async () => {
    await expect(
      Promise.race([
        partialPost(bridge.port, { 'x-curvekeep-token': bridge.token }, 512 * 1024),
        new Promise((resolve) => setTimeout(() => resolve('still waiting for the body'), 1_500)),
      ]),
    ).resolves.toBe('still waiting for the body');
  });
});

describe('npm run web: --port and CURVEKEEP_BRIDGE_PORT', () => {
  const script = join(root, 'dist', 'main', 'bridge', 'serve.js');

  function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
  }

  /** Starts the bridge process; resolves with its first stdout line, or its exit code and stderr. */
  function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ line?: string; code?: number | null; stderr: string; child: ChildProcess }> {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, CURVEKEEP_HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no UI line and no exit within 10 s: ${stderr}`));
      }, 10_000);
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (!stdout.includes('\n')) return;
        clearTimeout(timer);
        resolve({ line: stdout.split('\n')[0], stderr, child });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr, child });
      });
    });
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  it.each([
    ['--port N', (port: number) => ({ args: ['--port', String(port)], env: {} })],
    ['--port=N', (port: number) => ({ args: [`--port=${port}`], env: {} })],
    ['CURVEKEEP_BRIDGE_PORT', (port: number) => ({ args: [], env: { CURVEKEEP_BRIDGE_PORT: String(port) } })],
  ])('listens on 127.0.0.1 at the port given by %s', async (_how, given) => {
    const port = await freePort();
    const { args, env } = given(port);
    const started = await start(args, env);
    try {
      expect(started.line, started.stderr).toMatch(new RegExp(`^UI: http://127\\.0\\.0\\.1:${port}/\\?token=`));
      const token = /token=([A-Za-z0-9_-]+)/.exec(started.line!)![1]!;
      const reply = await send(port, { method: 'POST', path: '/ipc/app.info', headers: { 'content-type': 'application/json', 'x-curvekeep-token': token }, body: '{}' });
      expect(json(reply).ok).toBe(true);
    } finally {
      await stop(started.child);
    }
  });

  it.each([
    [['--port', 'eighty'], {}],
    [['--port', '70000'], {}],
    [['--port'], {}],
    [['--bind', '0.0.0.0'], {}],
    [[], { CURVEKEEP_BRIDGE_PORT: '-1' }],
  ])('refuses %j %j with a message and exit 2', async (args, env) => {
    const started = await start(args as string[], env as NodeJS.ProcessEnv);
    expect(started.line).toBeUndefined();
    expect(started.code).toBe(2);
    expect(started.stderr).toMatch(/curvekeep bridge: .*(port|option)/);
  });

  it('says so when the port is taken (exit 3)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    try {
      const started = await start(['--port', String(port)]);
      expect(started.code).toBe(3);
      expect(started.stderr).toContain(String(port));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
