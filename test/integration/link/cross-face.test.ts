// Both faces over ONE store give the same answer: the `curvekeep` process (`test --json`,
// `sweep --json`) and the IPC dispatcher the app calls (links.test, links.sweepStart) run the same
// link use cases against real loopback peers (our responder with an allowlist, a pyzmq NULL
// server, a closed port, and a peer whose only endpoint is ipc://). Compared field by field:
// verdict, target, client identity used, one-time-key note, sweep rows and skipped endpoints.
// Runs the built CLI (`npm run build:main` first).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PublicKey } from '../../../src-main/core/curve/keys.js';
import { generateIdentity, identityKeyPair } from '../../../src-main/core/identities/identities.js';
import { type Responder, startResponder } from '../../../src-main/core/link/responder.js';
import { addPeer, removePeer } from '../../../src-main/core/peers/peers.js';
import { runCli } from '../../helpers/cli.js';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type RunningPeer, closedPort, startPeer, stopAllPeers } from '../../helpers/link/peers.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
let ipc: IpcCaller;
let responder: Responder;
let nullServer: RunningPeer;
let closedEndpoint: string;
let laptop: { id: string; publicKey: string };

interface TestAnswer {
  verdict: string;
  endpoint: string;
  hint: string;
  next: { action: string };
  as: { id: string | null; name: string | null; publicKey: string; oneTime: boolean; chosen: string };
  server: { kind: string; name?: string | null };
  peer: { id: string; name: string } | null;
  oneTimeNote: string | null;
}

/** What must agree between the faces (times differ run to run). */
function comparable(answer: TestAnswer) {
  return {
    verdict: answer.verdict,
    endpoint: answer.endpoint,
    hint: answer.hint,
    next: answer.next.action,
    as: answer.as.oneTime ? { oneTime: true, chosen: answer.as.chosen } : { id: answer.as.id, name: answer.as.name, publicKey: answer.as.publicKey, chosen: answer.as.chosen },
    server: { kind: answer.server.kind, name: answer.server.name ?? null },
    peer: answer.peer?.name ?? null,
    oneTimeNote: answer.oneTimeNote,
  };
}

async function cliTest(args: ReadonlyArray<string>): Promise<TestAnswer> {
  const run = await runCli(['--json', 'test', ...args, '--timeout', '3000'], t.env);
  expect(run.code, run.stderr).toBeLessThan(2);
  return run.json<TestAnswer>();
}

async function appTest(args: Record<string, unknown>): Promise<TestAnswer> {
  return (await ipc.ok('links.test', { ...args, timeoutMs: 3000 })) as unknown as TestAnswer;
}

beforeAll(async () => {
  t = testWorkspace('link-cross-face');
  ipc = ipcCaller(t);
  const gateway = await generateIdentity(t.ws, { name: 'gateway', role: 'server' });
  laptop = await generateIdentity(t.ws, { name: 'laptop', role: 'client' });
  const serverPair = await identityKeyPair(t.ws, gateway.id);
  responder = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server: serverPair, allow: [{ publicKey: laptop.publicKey as PublicKey, name: 'laptop' }] });
  nullServer = await startPeer('null-rep');
  closedEndpoint = `tcp://127.0.0.1:${await closedPort()}`;
  await addPeer(t.ws, { name: 'echo', publicKey: gateway.publicKey, endpoints: ['ipc:///tmp/curvekeep-echo', responder.endpoint] });
  await addPeer(t.ws, { name: 'legacy-plc', publicKey: gateway.publicKey, endpoints: [nullServer.endpoint] });
  await addPeer(t.ws, { name: 'gone', publicKey: gateway.publicKey, endpoints: [closedEndpoint] });
  await addPeer(t.ws, { name: 'local-only', publicKey: gateway.publicKey, endpoints: ['ipc:///tmp/curvekeep-local'] });
});

afterAll(async () => {
  await responder?.close();
  await stopAllPeers();
  await t?.cleanup();
});

describe('the CLI and the app give the same answer', () => {
  test('a stored peer, default client: its first TCP endpoint, the only client identity, ok', async () => {
    const cli = await cliTest(['--peer', 'echo']);
    const app = await appTest({ peer: 'echo' });
    expect(comparable(cli)).toEqual(comparable(app));
    expect(comparable(cli)).toMatchObject({
      verdict: 'ok', endpoint: responder.endpoint, next: 'none', peer: 'echo', oneTimeNote: null,
      as: { id: laptop.id, name: 'laptop', publicKey: laptop.publicKey, chosen: 'only-usable' },
      server: { kind: 'peer', name: 'echo' },
    });
  });

  test('a pasted key against a NULL server: plaintext, same hint and next action', async () => {
    const cli = await cliTest([nullServer.endpoint, '--server-key', laptop.publicKey]);
    const app = await appTest({ endpoint: nullServer.endpoint, serverKey: laptop.publicKey });
    expect(comparable(cli)).toEqual(comparable(app));
    expect(comparable(cli)).toMatchObject({ verdict: 'plaintext', next: 'enable-curve', server: { kind: 'key', name: null }, peer: null });
  });

  test('a one-time key only when asked: rejected by the allowlist, with the same note on what it proves', async () => {
    const cli = await cliTest(['--peer', 'echo', '--one-time-key']);
    const app = await appTest({ peer: 'echo', oneTimeKey: true });
    expect(comparable(cli)).toEqual(comparable(app));
    expect(comparable(cli)).toMatchObject({ verdict: 'rejected', as: { oneTime: true, chosen: 'one-time' } });
    expect(cli.oneTimeNote).toMatch(/one-time key/);
  });

  test('a peer with no TCP endpoint: the same typed error from both', async () => {
    const cli = await runCli(['--json', 'test', '--peer', 'local-only'], t.env);
    const app = await ipc.call('links.test', { peer: 'local-only' });
    expect(cli.code).toBe(2);
    expect(cli.json<{ error: { code: string } }>().error.code).toBe('no-testable-endpoint');
    expect(app).toMatchObject({ ok: false, error: { code: 'no-testable-endpoint' } });
  });

  test('a sweep: the same rows, the same skipped endpoints, the same client', async () => {
    const cli = await runCli(['--json', 'sweep', '--timeout', '3000'], t.env);
    expect(cli.code).toBe(1);
    const cliSweep = cli.json<{
      as: TestAnswer['as'];
      results: Array<{ verdict: string; endpoint: string; peer: { name: string } | null }>;
      skipped: unknown[];
    }>();

    const started = await ipc.ok('links.sweepStart', { timeoutMs: 3000 }) as { jobId: string; total: number; skipped: unknown[]; as: TestAnswer['as'] };
    const rows: Array<{ verdict: string; endpoint: string; peerName: string | null }> = [];
    let progress: Record<string, unknown> = {};
    for (let i = 0; i < 200 && progress.state !== 'done'; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      progress = await ipc.ok('links.sweepProgress', { jobId: started.jobId, from: rows.length });
      rows.push(...(progress.results as typeof rows));
    }
    expect(progress.state).toBe('done');

    const byEndpoint = <T extends { endpoint: string }>(list: T[]) => [...list].sort((a, b) => a.endpoint.localeCompare(b.endpoint));
    const cliRows = byEndpoint(cliSweep.results.map((r) => ({ peer: r.peer?.name ?? null, endpoint: r.endpoint, verdict: r.verdict })));
    const appRows = byEndpoint(rows.map((r) => ({ peer: r.peerName, endpoint: r.endpoint, verdict: r.verdict })));
    expect(cliRows).toEqual(appRows);
    expect(cliRows).toEqual(byEndpoint([
      { peer: 'echo', endpoint: responder.endpoint, verdict: 'ok' },
      { peer: 'legacy-plc', endpoint: nullServer.endpoint, verdict: 'plaintext' },
      { peer: 'gone', endpoint: closedEndpoint, verdict: 'unreachable' },
    ]));
    expect(cliSweep.skipped).toEqual(started.skipped);
    expect(cliSweep.skipped).toEqual([
      { kind: 'peer', peerId: expect.any(String), peerName: 'echo', endpoint: 'ipc:///tmp/curvekeep-echo', reason: 'not-tcp' },
      { kind: 'peer', peerId: expect.any(String), peerName: 'local-only', endpoint: 'ipc:///tmp/curvekeep-local', reason: 'not-tcp' },
    ]);
    expect(cliSweep.as).toEqual(started.as);
    expect(started.as).toMatchObject({ name: 'laptop', chosen: 'only-usable', oneTime: false });
  });

  test('two client identities: both faces ask which one, with the same error code', async () => {
    const second = await generateIdentity(t.ws, { name: 'tablet', role: 'device' });
    try {
      const cli = await runCli(['--json', 'test', '--peer', 'echo'], t.env);
      const app = await ipc.call('links.test', { peer: 'echo' });
      expect(cli.code).toBe(2);
      expect(cli.json<{ error: { code: string } }>().error.code).toBe('choose-client-identity');
      expect(cli.stderr).toContain('--as');
      expect(app).toMatchObject({ ok: false, error: { code: 'choose-client-identity' } });
    } finally {
      await runCli(['keys', 'delete', second.id, '--yes'], t.env);
    }
  });
});

interface SweepRowAnswer { verdict: string; endpoint: string; server: { kind: string; name: string | null } }

/** The app's sweep to its end: the rows in the order they finished, and what the start answered. */
async function appSweep(args: Record<string, unknown>) {
  const started = await ipc.ok('links.sweepStart', { ...args, timeoutMs: 3000 }) as { jobId: string; skipped: unknown[]; as: TestAnswer['as'] };
  const rows: SweepRowAnswer[] = [];
  let progress: Record<string, unknown> = {};
  for (let i = 0; i < 200 && progress.state !== 'done'; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    progress = await ipc.ok('links.sweepProgress', { jobId: started.jobId, from: rows.length });
    rows.push(...(progress.results as SweepRowAnswer[]));
  }
  expect(progress.state).toBe('done');
  return { started, rows };
}

describe('sweep --peer resolves an own identity as test --peer does (issue 12), on both faces', () => {
  test('an own server identity is swept with its public key; a name held by a peer too is ambiguous; an unknown one is not found', async () => {
    const port = await closedPort();
    const hub = await generateIdentity(t.ws, { name: 'hub', role: 'server', endpoints: [`tcp://127.0.0.1:${port}`, 'ipc:///tmp/curvekeep-hub'] });
    const hubResponder = await startResponder({
      endpoint: `tcp://127.0.0.1:${port}`, server: await identityKeyPair(t.ws, hub.id), allow: [{ publicKey: laptop.publicKey as PublicKey, name: 'laptop' }],
    });
    let twin: { id: string } | undefined;
    try {
      const byEndpoint = (rows: SweepRowAnswer[]) => rows.map((r) => ({ verdict: r.verdict, endpoint: r.endpoint, server: { kind: r.server.kind, name: r.server.name } }))
        .sort((a, b) => a.endpoint.localeCompare(b.endpoint));
      const cli = await runCli(['--json', 'sweep', '--peer', 'hub', 'echo', '--as', 'laptop', '--timeout', '3000'], t.env);
      expect(cli.code, cli.stderr).toBe(0);
      const cliSweep = cli.json<{ results: SweepRowAnswer[]; skipped: unknown[]; as: TestAnswer['as'] }>();
      const app = await appSweep({ peers: ['hub', 'echo'], as: 'laptop' });
      expect(byEndpoint(cliSweep.results)).toEqual(byEndpoint(app.rows));
      expect(byEndpoint(cliSweep.results)).toEqual(byEndpoint([
        { verdict: 'ok', endpoint: hubResponder.endpoint, server: { kind: 'identity', name: 'hub' } },
        { verdict: 'ok', endpoint: responder.endpoint, server: { kind: 'peer', name: 'echo' } },
      ]));
      expect(cliSweep.skipped).toEqual(app.started.skipped);
      expect(cliSweep.skipped).toEqual([
        { kind: 'peer', peerId: expect.any(String), peerName: 'echo', endpoint: 'ipc:///tmp/curvekeep-echo', reason: 'not-tcp' },
        { kind: 'identity', peerId: hub.id, peerName: 'hub', endpoint: 'ipc:///tmp/curvekeep-hub', reason: 'not-tcp' },
      ]);
      expect(cliSweep.as).toEqual(app.started.as);
      const human = await runCli(['sweep', '--peer', 'hub', '--as', 'laptop', '--timeout', '3000'], t.env);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/hub \(own\)\s+ok/);

      // A peer of the same name: the same typed error from both faces, naming both; the id still works.
      twin = await addPeer(t.ws, { name: 'hub', publicKey: laptop.publicKey, endpoints: [] });
      const ambiguous = await runCli(['sweep', '--peer', 'hub', '--as', 'laptop', '--timeout', '3000'], t.env);
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.stderr).toMatch(/"hub" names both peer hub \(id \S+\) and own identity hub \(id \S+\)/);
      expect(ambiguous.stderr).toContain(twin.id);
      expect(ambiguous.stderr).toContain(hub.id);
      const ambiguousJson = await runCli(['--json', 'sweep', '--peer', 'hub', '--as', 'laptop'], t.env);
      expect(ambiguousJson.code).toBe(2);
      expect(ambiguousJson.json<{ error: { code: string } }>().error.code).toBe('ambiguous-server-ref');
      expect(await ipc.call('links.sweepStart', { peers: ['hub'], as: 'laptop' })).toMatchObject({ ok: false, error: { code: 'ambiguous-server-ref' } });
      const byId = await runCli(['--json', 'sweep', '--peer', hub.id, '--as', 'laptop', '--timeout', '3000'], t.env);
      expect(byId.code, byId.stderr).toBe(0);
      expect(byId.json<{ results: SweepRowAnswer[] }>().results.map((r) => [r.server.kind, r.verdict])).toEqual([['identity', 'ok']]);

      const unknown = await runCli(['--json', 'sweep', '--peer', 'nobody', '--as', 'laptop'], t.env);
      expect(unknown.code).toBe(2);
      expect(unknown.json<{ error: { code: string } }>().error.code).toBe('not-found');
      expect(await ipc.call('links.sweepStart', { peers: ['nobody'], as: 'laptop' })).toMatchObject({ ok: false, error: { code: 'not-found' } });

      // No link history for own identities: only the peers' verdicts are recorded.
      const { data } = await t.ws.store.read();
      expect(data.peers.find((p) => p.name === 'echo')?.link?.lastVerdict).toBe('ok');
      expect(JSON.stringify(data.identities.find((i) => i.id === hub.id))).not.toContain('lastVerdict');
    } finally {
      if (twin) await removePeer(t.ws, twin.id);
      await hubResponder.close();
    }
  });
});
