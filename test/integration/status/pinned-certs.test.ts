// `status` items for pinned hosts' certificates: `pins check` (the real CLI, against openssl
// s_server with leaves of the test PKI) records the leaf's notAfter on the pin set that applies,
// and `status` lists it: a leaf expiring in 10 days is a warning, an expired one an error
// (`--check` exits 1). A host no pin set applies to records nothing.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../../src-main/core/usecases/status.js';
import { runCli } from '../../helpers/cli.js';
import { ipcCaller } from '../../helpers/ipc.js';
import { GOOD_NAME, type Leaf, type Pki, type RunningServer, buildPki, opensslPin, startOpensslServer } from '../../helpers/pki/pki.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const randomPin = () => `sha256/${randomBytes(32).toString('base64')}`;

let pki: Pki;
const servers: RunningServer[] = [];
const workspaces: TestWorkspace[] = [];

beforeAll(() => {
  pki = buildPki();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await Promise.all(workspaces.map((w) => w.cleanup()));
  pki?.remove();
});

async function serve(leaf: Leaf): Promise<number> {
  const server = await startOpensslServer(leaf, pki.intermediateCert, ['-tls1_3']);
  servers.push(server);
  return server.port;
}

async function pinnedWorkspace(name: string, leaf: Leaf): Promise<TestWorkspace> {
  const t = testWorkspace(name);
  workspaces.push(t);
  const set = await runCli(['pins', 'set', GOOD_NAME, '--pin', opensslPin(leaf.cert), '--backup-pin', randomPin()], t.env);
  expect(set.code, set.stderr).toBe(0);
  return t;
}

const check = (t: TestWorkspace, port: number, servername = GOOD_NAME) =>
  runCli(['--json', 'pins', 'check', `127.0.0.1:${port}`, '--servername', servername, '--ca', pki.rootCert, '--no-legacy'], t.env);

const pinnedItems = (r: StatusReport) => r.items.filter((i) => i.kind.startsWith('pinned-cert-'));

describe('status: pinned hosts whose certificate expires', () => {
  it('a leaf expiring in 10 days: pins check records it on the pin set, status warns, --check exits 0', async () => {
    const soon = pki.extraLeaf('soon', { key: 'ec256', from: -1, to: 10 });
    const t = await pinnedWorkspace('status-pinned-soon', soon);
    const port = await serve(soon);

    // A name no pin set applies to: nothing is recorded.
    await check(t, port, 'localhost');
    expect(readFileSync(join(t.home, 'curvekeep.json'), 'utf8')).not.toContain('lastCheck');
    expect(pinnedItems((await runCli(['--json', 'status'], t.env)).json<StatusReport>())).toEqual([]);

    const checked = await check(t, port);
    expect(checked.json<{ pins: { verdict: string } }>().pins.verdict).toBe('match');
    const sets = (await runCli(['--json', 'pins', 'list'], t.env)).json<Array<{ host: string; lastCheck?: Record<string, unknown> }>>();
    expect(sets).toEqual([
      expect.objectContaining({
        host: GOOD_NAME,
        lastCheck: expect.objectContaining({ hostname: GOOD_NAME, endpoint: `127.0.0.1:${port}`, leafSubject: expect.stringContaining('soon.test'), pinMatched: true }),
      }),
    ]);

    const status = await runCli(['--json', 'status', '--check'], t.env);
    expect(status.code).toBe(0);
    const report = status.json<StatusReport>();
    expect(pinnedItems(report)).toEqual([
      {
        kind: 'pinned-cert-expiring',
        severity: 'warning',
        subject: { host: GOOD_NAME, pinSet: GOOD_NAME },
        facts: expect.objectContaining({ daysLeft: 9, pinMatched: true, endpoint: `127.0.0.1:${port}`, notAfter: sets[0]!.lastCheck!.leafNotAfter }),
        next: { action: 'check-pins', host: GOOD_NAME, endpoint: `127.0.0.1:${port}` },
      },
    ]);
    expect(report.summary.error).toBe(0);

    const text = await runCli(['status'], t.env);
    expect(text.stdout).toMatch(/warning: pinned host good\.test: its certificate expires on \d{4}-\d\d-\d\d \(9 days/);
    expect(text.stdout).toContain(`next: curvekeep pins check 127.0.0.1:${port} --servername ${GOOD_NAME}`);

    // The app's channel carries the same closed shape.
    const ipc = (await ipcCaller(t).ok('status.get', {})) as unknown as StatusReport;
    expect(pinnedItems(ipc)).toEqual(pinnedItems(report));
  });

  it('an expired leaf: status lists an error and --check exits 1', async () => {
    const leaf = pki.leaves.expired;
    const t = await pinnedWorkspace('status-pinned-expired', leaf);
    const port = await serve(leaf);
    const checked = await check(t, port);
    expect(checked.code).toBe(1);

    const status = await runCli(['--json', 'status', '--check'], t.env);
    expect(status.code).toBe(1);
    const items = pinnedItems(status.json<StatusReport>());
    expect(items).toEqual([
      expect.objectContaining({
        kind: 'pinned-cert-expired',
        severity: 'error',
        subject: { host: GOOD_NAME, pinSet: GOOD_NAME },
        facts: expect.objectContaining({ pinMatched: true, daysLeft: expect.any(Number) }),
        next: { action: 'check-pins', host: GOOD_NAME, endpoint: `127.0.0.1:${port}` },
      }),
    ]);
    expect(items[0]!.facts.daysLeft as number).toBeLessThanOrEqual(-35);
    expect((await runCli(['status'], t.env)).stdout).toMatch(/error: pinned host good\.test: its certificate expired on/);
  });
});
