// Issue 10, finding 2: one commit protocol for the document, the audit log and keychain items.
// A write is killed at each rename, fsync and keychain call (strace fault injection on the real
// CLI process, and the test-only CURVEKEEP_TEST_CRASH_AT hook for keychain calls); the next command
// must find the store loadable, the audit chain intact and the keychain consistent with the store.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { createWorkspace } from '../../../src-main/core/workspace.js';
import { CLI, runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

const STRACE = '/usr/bin/strace';
const hasStrace = existsSync(STRACE);

let t: TestWorkspace | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

interface Run {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderr: string;
}

function run(cmd: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/**
 * Runs the CLI under strace, killing it at the Nth call of the given syscalls. strace counts per
 * thread, so libuv's pool is cut to one thread: every file call of the write is then counted in
 * order, and N = 1, 2, ... reaches each of them.
 */
function straceKill(syscalls: string, n: number, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Promise<Run> {
  return run(STRACE, ['-f', '-qq', '-o', '/dev/null', '-e', `trace=${syscalls}`, '-e', `inject=${syscalls}:signal=SIGKILL:when=${n}`, process.execPath, CLI, ...args], { ...env, UV_THREADPOOL_SIZE: '1' });
}

const killed = (r: Run) => r.code === 137 || r.signal === 'SIGKILL';

/** The store loads (the next command recovers first), the audit chain verifies, the keychain matches the store. */
async function assertConsistent(w: TestWorkspace, label: string): Promise<{ identities: string[]; peers: string[] }> {
  const ws = createWorkspace(w.home, w.keychain);
  const { data } = await ws.store.read();
  const verdict = await ws.store.verifyAudit();
  expect(verdict, `${label}: audit verify`).toMatchObject({ ok: true });
  const accounts = new Set(await w.keychain.accounts());
  const owned = new Set<string>();
  for (const identity of data.identities) {
    for (const g of identity.generations) if (['pending', 'current', 'previous'].includes(g.state)) owned.add(`identity:${identity.id}:${g.generation}`);
  }
  const identityItems = [...accounts].filter((a) => a.startsWith('identity:')).sort();
  expect(identityItems, `${label}: keychain items vs identities`).toEqual([...owned].sort());
  // Every audit entry about an identity names one the store holds, or its deletion is logged too.
  const entries = await ws.store.auditEntries();
  const ids = new Set(data.identities.map((i) => i.id));
  const deleted = new Set(entries.filter((e) => e.action === 'identity.deleted').map((e) => String(e.details?.id)));
  for (const e of entries.filter((x) => x.action === 'identity.generated')) {
    expect(ids.has(String(e.details?.id)) || deleted.has(String(e.details?.id)), `${label}: audit entry for a missing identity`).toBe(true);
  }
  // A later write works and keeps the chain intact.
  await addPeer(ws, { name: `after-${Math.random().toString(36).slice(2, 8)}`, publicKey: generateKeyPair().publicKey });
  expect(await ws.store.verifyAudit(), `${label}: audit verify after a later write`).toMatchObject({ ok: true });
  return { identities: data.identities.map((i) => i.name), peers: data.peers.map((p) => p.name) };
}

interface Scenario {
  readonly name: string;
  setup(w: TestWorkspace): Promise<void>;
  readonly args: ReadonlyArray<string>;
  /** Old or new state, nothing in between. */
  check(state: { identities: string[]; peers: string[] }): void;
}

const scenarios: Scenario[] = [
  {
    name: 'keys generate',
    setup: async (w) => void (await generateIdentity(w.ws, { name: 'a' })),
    args: ['keys', 'generate', '--name', 'b'],
    check: (s) => expect([['a'], ['a', 'b']]).toContainEqual(s.identities),
  },
  {
    name: 'keys delete',
    setup: async (w) => {
      await generateIdentity(w.ws, { name: 'a' });
      await generateIdentity(w.ws, { name: 'b' });
    },
    args: ['keys', 'delete', 'a', '--yes'],
    check: (s) => expect([['a', 'b'], ['b']]).toContainEqual(s.identities),
  },
  {
    name: 'rotate --stage',
    setup: async (w) => void (await generateIdentity(w.ws, { name: 'a' })),
    args: ['rotate', 'a', '--stage'],
    check: (s) => expect(s.identities).toEqual(['a']),
  },
  {
    name: 'peers add',
    setup: async (w) => void (await generateIdentity(w.ws, { name: 'a' })),
    args: ['peers', 'add', '--name', 'p', '--key', generateKeyPair().publicKey],
    check: (s) => expect(s.peers.filter((p) => !p.startsWith('after-'))).toSatisfy((p: string[]) => p.length === 0 || (p.length === 1 && p[0] === 'p')),
  },
];

describe.skipIf(!hasStrace)('a write killed at any point (strace)', () => {
  it('reproduces the report: killed at the document rename, the audit chain stays intact and no keychain item is orphaned', async () => {
    t = testWorkspace('crash');
    await generateIdentity(t.ws, { name: 'a' });
    const r = await straceKill('rename', 1, ['keys', 'generate', '--name', 'b'], t.env);
    expect(killed(r)).toBe(true);
    expect((await runCli(['keys', 'generate', '--name', 'c'], t.env)).code).toBe(0);
    const verify = await runCli(['audit', 'verify'], t.env);
    expect(verify.stdout).toMatch(/intact/);
    expect(verify.code).toBe(0);
    await assertConsistent(t, 'after the reported crash');
  });

  it('a failed document rename (ENOSPC) leaves no audit entry for an identity that does not exist', async () => {
    t = testWorkspace('crash');
    await generateIdentity(t.ws, { name: 'a' });
    const r = await run(STRACE, ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=rename', '-e', 'inject=rename:error=ENOSPC:when=1', process.execPath, CLI, 'keys', 'generate', '--name', 'b'], t.env);
    expect(r.code).toBe(3);
    const state = await assertConsistent(t, 'after ENOSPC');
    expect(state.identities).toEqual(['a']);
    expect((await t.ws.store.auditEntries()).filter((e) => e.subject === 'b')).toEqual([]);
  });

  for (const scenario of scenarios) {
    for (const syscalls of ['rename', 'fsync,fdatasync', 'link,unlink']) {
      it(`${scenario.name}: killed at each ${syscalls} call, the next command finds old or new state, consistent`, async () => {
        const points = await killAtEachPoint(scenario, 40, syscalls, (n) => straceKill(syscalls, n, scenario.args, t!.env));
        expect(points).toBeGreaterThan(0);
        console.log(`${scenario.name}: killed at ${points} ${syscalls} point(s), all consistent`);
      }, 600_000);
    }
  }
});

describe('a write killed at each keychain call (CURVEKEEP_TEST_CRASH_AT)', () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: killed before and after each keychain write, the next command finds old or new state, consistent`, async () => {
      let points = 0;
      for (const when of ['keychain', 'keychain-after']) {
        points += await killAtEachPoint(scenario, 20, when, (n) =>
          run(process.execPath, [CLI, ...scenario.args], { ...t!.env, CURVEKEEP_TEST_CRASH_AT: `${when}:${n}` }));
      }
      expect(points).toBeGreaterThan(1);
      console.log(`${scenario.name}: killed at ${points} keychain point(s), all consistent`);
    }, 600_000);
  }
});

/**
 * Runs the scenario's command killed at point 1, 2, ... (each in a fresh workspace) until a run is
 * not killed (it must then succeed), checking after every kill that the next command finds a
 * consistent state. Returns how many points were killed.
 */
async function killAtEachPoint(
  scenario: (typeof scenarios)[number], max: number, label: string,
  runKilledAt: (n: number) => ReturnType<typeof run>,
): Promise<number> {
  let points = 0;
  for (let n = 1; n <= max; n++) {
    t = testWorkspace('crash');
    await scenario.setup(t);
    const r = await runKilledAt(n);
    if (!killed(r)) {
      expect(r.code, r.stderr).toBe(0);
      await t.cleanup();
      t = undefined;
      break;
    }
    points += 1;
    scenario.check(await assertConsistent(t, `${scenario.name}, killed at ${label} #${n}`));
    await t.cleanup();
    t = undefined;
  }
  return points;
}

