// `curvekeep probe | test | serve | sweep` as real processes (`npm run build:main` first), over a
// fresh data folder and keychain service: our responder at one end, our tester at the other.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LinkResult } from '../../../src-main/core/link/verdict.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { CLI, runCli } from '../../helpers/cli.js';
import { closedPort } from '../../helpers/link/peers.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

interface Serving {
  readonly child: ChildProcessWithoutNullStreams;
  readonly endpoint: string;
  readonly lines: string[];
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string }>;
}

let t: TestWorkspace;
let serverKey: string;
let laptopKey: string;
const servers = new Set<Serving>();

async function serve(args: ReadonlyArray<string>): Promise<Serving> {
  const child = spawn(process.execPath, [CLI, 'serve', 'tcp://127.0.0.1:0', ...args], { env: t.env });
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      lines.splice(0, lines.length, ...stdout.split('\n'));
      const ready = /^listening on (\S+)$/m.exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited (${code}): ${stderr}`)); });
  });
  const serving: Serving = {
    child, endpoint, lines,
    stop: async (signal) => {
      servers.delete(serving);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill(signal);
      return { code: await exited, stdout };
    },
  };
  servers.add(serving);
  return serving;
}

beforeAll(async () => {
  t = testWorkspace('link-cli');
  serverKey = (await generateIdentity(t.ws, { name: 'gateway', role: 'server' })).publicKey;
  laptopKey = (await generateIdentity(t.ws, { name: 'laptop', role: 'client' })).publicKey;
});

afterAll(async () => {
  for (const serving of servers) await serving.stop('SIGKILL');
  await t.cleanup();
});

describe('curvekeep serve and test', () => {
  test('an allowed identity: test exits 0 with verdict, times and hint; serve logs it by name', async () => {
    const server = await serve(['--as', 'gateway', '--allow', 'laptop']);
    const human = await runCli(['test', server.endpoint, '--server-key', serverKey], t.env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/verdict:\s+ok/);
    expect(human.stdout).toMatch(/handshake:\s+[\d.]+ ms/);
    expect(human.stdout).toMatch(/round trip:\s+[\d.]+ ms/);
    expect(human.stdout).toMatch(/hint:/);

    const json = await runCli(['--json', 'test', server.endpoint, '--server-key', serverKey, '--as', 'laptop'], t.env);
    expect(json.code).toBe(0);
    const result = json.json<LinkResult & { as: { name: string } }>();
    expect(result).toMatchObject({ verdict: 'ok', endpoint: server.endpoint, mechanism: 'CURVE', as: { name: 'laptop' } });
    expect(result.rttMs).toBeGreaterThan(0);

    await expect.poll(() => server.lines.filter((line) => line.startsWith('admitted laptop')).length).toBe(2);
    expect(server.lines.find((line) => line.startsWith('admitted laptop'))).toContain(laptopKey);
    const stopped = await server.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('stopped (SIGTERM): 2 admitted, 0 refused, 2 messages echoed');
  });

  test('an identity not on the allowlist: rejected, exit 1; serve logs the refused key and its safety code', async () => {
    const tablet = await generateIdentity(t.ws, { name: 'tablet', role: 'client' });
    try {
      const server = await serve(['--as', 'gateway', '--allow', 'laptop']);
      const run = await runCli(['test', server.endpoint, '--server-key', serverKey, '--as', 'tablet'], t.env);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/verdict:\s+rejected/);
      expect(run.stdout).toContain('allowlist');
      await expect.poll(() => server.lines.find((line) => line.startsWith('refused'))).toContain(tablet.publicKey);
      expect(server.lines.find((line) => line.startsWith('refused'))).toContain(tablet.safetyCode);
      expect((await server.stop('SIGINT')).code).toBe(0);

      // Two client identities now: --as is required.
      const ambiguous = await runCli(['test', server.endpoint, '--server-key', serverKey], t.env);
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.stderr).toContain('--as');
    } finally {
      await runCli(['keys', 'delete', 'tablet', '--yes'], t.env);
    }
  });

  test('--peer uses the stored key and records the verdict in the peer\'s history', async () => {
    const server = await serve(['--as', 'gateway', '--allow', 'any']);
    await addPeer(t.ws, { name: 'gateway-peer', publicKey: serverKey, endpoints: [server.endpoint] });
    const run = await runCli(['--json', 'test', server.endpoint, '--peer', 'gateway-peer'], t.env);
    expect(run.json<LinkResult>().verdict).toBe('ok');
    const peer = (await t.ws.store.read()).data.peers.find((p) => p.name === 'gateway-peer')!;
    expect(peer.link).toMatchObject({ lastVerdict: 'ok', lastEndpoint: server.endpoint });
    expect(peer.link?.lastSuccessAt).toBeDefined();
    await server.stop('SIGTERM');
    await runCli(['peers', 'remove', 'gateway-peer'], t.env);
  });

  test('a pasted server key with a one-time key needs nothing stored: it runs with no keychain and no data folder', async () => {
    const server = await serve(['--as', 'gateway', '--allow', 'any']);
    // A field tech's headless box: no Secret Service on the bus, an empty data folder.
    const bare = { ...t.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', CURVEKEEP_HOME: `${t.home}-bare` };
    const run = await runCli(['--json', 'test', server.endpoint, '--server-key', serverKey, '--one-time-key'], bare);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<LinkResult & { as: { oneTime: boolean } }>()).toMatchObject({ verdict: 'ok', as: { oneTime: true } });
    // What needs the keychain still says so: a named identity's secret is in it.
    const named = await runCli(['test', server.endpoint, '--server-key', serverKey, '--as', 'laptop'], { ...t.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(named.code).toBe(3);
    expect(named.stderr).toMatch(/keychain/);
    await server.stop('SIGTERM');
  });

  test('the secret key never reaches the output', async () => {
    const server = await serve(['--as', 'gateway', '--allow', 'any']);
    const { identityKeyPair } = await import('../../../src-main/core/identities/identities.js');
    const secrets = [(await identityKeyPair(t.ws, 'laptop')).secretKey, (await identityKeyPair(t.ws, 'gateway')).secretKey];
    const runs = [
      await runCli(['test', server.endpoint, '--server-key', serverKey], t.env),
      await runCli(['--json', 'test', server.endpoint, '--server-key', serverKey], t.env),
    ];
    const stopped = await server.stop('SIGTERM');
    for (const text of [...runs.flatMap((r) => [r.stdout, r.stderr]), stopped.stdout, server.lines.join('\n')]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  test('usage errors exit 2', async () => {
    expect((await runCli(['test', 'tcp://127.0.0.1:1'], t.env)).code).toBe(2);
    expect((await runCli(['test', 'tcp://127.0.0.1:1', '--server-key', serverKey, '--peer', 'x'], t.env)).code).toBe(2);
    expect((await runCli(['test', 'not-an-endpoint', '--server-key', serverKey], t.env)).code).toBe(2);
    expect((await runCli(['test', 'tcp://127.0.0.1:1', '--server-key', 'short'], t.env)).code).toBe(2);
    expect((await runCli(['test', 'tcp://127.0.0.1:1', '--server-key', serverKey, '--timeout', 'soon'], t.env)).code).toBe(2);
  });
});

describe('curvekeep probe and sweep', () => {
  test('probe reads the responder\'s CURVE greeting; a closed port exits 1', async () => {
    const server = await serve(['--as', 'gateway']);
    const run = await runCli(['--json', 'probe', server.endpoint], t.env);
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ zmtp: true, mechanism: 'CURVE' });
    const closed = await runCli(['probe', `tcp://127.0.0.1:${await closedPort()}`, '--timeout', '1000'], t.env);
    expect(closed.code).toBe(1);
    expect(closed.stdout).toMatch(/result:\s+unreachable/);
    await server.stop('SIGTERM');
  });

  // Four CLI processes and a server: under `npm test` load this took more than 30 s.
  test('sweep over peers: a table, exit 1 when any link fails, history for each peer', { timeout: 90_000 }, async () => {
    const server = await serve(['--as', 'gateway', '--allow', 'any']);
    const closed = await closedPort();
    await addPeer(t.ws, { name: 'live-gw', publicKey: serverKey, endpoints: [server.endpoint] });
    await addPeer(t.ws, { name: 'dead-gw', publicKey: serverKey, endpoints: [`tcp://127.0.0.1:${closed}`, 'ipc:///tmp/nowhere'] });
    try {
      const human = await runCli(['sweep', '--peers', '--timeout', '2000'], t.env);
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/ENDPOINT\s+PEER\s+VERDICT/);
      expect(human.stdout).toMatch(/live-gw\s+ok/);
      expect(human.stdout).toMatch(/dead-gw\s+unreachable/);
      expect(human.stdout).toContain('2 tested: 1 ok, 1 unreachable');

      // The ipc:// endpoint of a swept peer is skipped with a reason, never fatal.
      const all = await runCli(['--json', 'sweep', '--peers', '--timeout', '2000'], t.env);
      expect(all.code).toBe(1);
      expect(all.json<{ skipped: unknown[] }>().skipped).toEqual([
        { kind: 'peer', peerId: expect.any(String), peerName: 'dead-gw', endpoint: 'ipc:///tmp/nowhere', reason: 'not-tcp' },
      ]);

      const json = await runCli(['--json', 'sweep', server.endpoint], t.env);
      expect(json.code).toBe(0);
      expect(json.json<{ results: LinkResult[]; skipped: unknown[] }>()).toMatchObject({
        results: [{ verdict: 'ok', peer: { name: 'live-gw' } }],
        skipped: [],
      });

      const peers = (await t.ws.store.read()).data.peers;
      expect(peers.find((p) => p.name === 'live-gw')!.link?.lastVerdict).toBe('ok');
      expect(peers.find((p) => p.name === 'dead-gw')!.link?.lastVerdict).toBe('unreachable');

      const unknown = await runCli(['sweep', `tcp://127.0.0.1:${closed + 1}`], t.env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('--server-key');
    } finally {
      await server.stop('SIGTERM');
      await runCli(['peers', 'remove', 'live-gw'], t.env);
      await runCli(['peers', 'remove', 'dead-gw'], t.env);
    }
  });
});
