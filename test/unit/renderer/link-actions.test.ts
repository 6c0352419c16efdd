// Link tests that act, without a DOM: the verdict card's buttons and its one next-step sentence,
// the default client identity, the single test's run (result cleared on a new start, Cancel), and
// the sweep's summary, failures-only filter and pages.
import { describe, expect, it } from 'vitest';
import type { ArgsOf, ChannelName, ResultOf } from '../../../src-main/ipc/contract.js';
import { ONE_TIME_KEY, defaultClientChoice } from '../../../src-renderer/views/links/client-choice.js';
import { type LinkTestCalls, LinkTestRun } from '../../../src-renderer/views/links/link-test-run.svelte.js';
import { sweepPage, sweepSummary } from '../../../src-renderer/views/links/sweep-results.js';
import { type TestedResult, nextStep, verdictActions } from '../../../src-renderer/views/links/verdict-actions.js';

const ME = { id: 'id_laptop', name: 'laptop', oneTime: false };
const ONE_TIME = { id: null, name: null, oneTime: true };
const PEER = { kind: 'peer' as const, id: 'pe_gw', name: 'gw-07' };
const OWN = { kind: 'identity' as const, id: 'id_broker', name: 'broker' };

function tested(verdict: string, extra: Partial<TestedResult> = {}): TestedResult {
  return { verdict, next: { action: 'none', socketType: null }, as: ME, server: PEER, ...extra };
}
const ids = (r: TestedResult, place: 'peer' | 'identity' | 'links' = 'peer') => verdictActions(r, place).map((a) => a.id);

describe('verdict card actions', () => {
  it('offers nothing for ok, and says no next step', () => {
    expect(ids(tested('ok'))).toEqual([]);
  });

  it('rejected as our identity: our QR for the peer admin, said once; as a one-time key: test as our identity instead', () => {
    expect(ids(tested('rejected'))).toEqual(['show-my-qr', 'retry']);
    expect(nextStep(tested('rejected'))).toBe("Ask the peer's admin to add the public key of laptop to its allowlist.");
    expect(ids(tested('rejected', { as: ONE_TIME }))).toEqual(['test-as-identity']);
    expect(nextStep(tested('rejected', { as: ONE_TIME }))).toMatch(/test as your own client identity/);
    expect(nextStep(tested('rejected', { as: ONE_TIME }))).not.toMatch(/add/i);
  });

  it('rejected by our own server: open its allowlist (the allowed peers), no QR for an admin', () => {
    expect(ids(tested('rejected', { server: OWN }), 'identity')).toEqual(['open-allowlist', 'retry']);
    expect(verdictActions(tested('rejected', { server: OWN }), 'links')[0]).toEqual({ id: 'open-allowlist', label: 'Open the allowlist of broker' });
    expect(nextStep(tested('rejected', { server: OWN }))).toBe('Put the public key of laptop on the allowlist of broker (its allowed peers), then serve it again.');
  });

  it('wrong server key: re-import the peer key; for an own server, open it unless we are there', () => {
    expect(ids(tested('wrong-server-key'))).toEqual(['replace-peer-key', 'retry']);
    expect(ids(tested('wrong-server-key'), 'links')).toEqual(['replace-peer-key', 'retry', 'open-peer']);
    expect(ids(tested('wrong-server-key', { server: OWN }), 'links')).toEqual(['open-identity', 'retry']);
    expect(ids(tested('wrong-server-key', { server: OWN }), 'identity')).toEqual(['retry']);
  });

  it('socket mismatch: test again with the socket type the peer takes', () => {
    const actions = verdictActions(tested('socket-mismatch', { next: { action: 'use-socket-type', socketType: 'req' } }), 'peer');
    expect(actions).toEqual([{ id: 'retry-socket-type', label: 'Test again with a REQ socket', socketType: 'req' }]);
  });

  it('other failures: test again, and open the peer from the Link tests view', () => {
    expect(ids(tested('unreachable'))).toEqual(['retry']);
    expect(ids(tested('timeout'), 'links')).toEqual(['retry', 'open-peer']);
  });
});

describe('default client identity', () => {
  it('is the own client key that fits: client before device, then by name; the one-time key only without one', () => {
    const row = (id: string, name: string, role: 'server' | 'client' | 'device') => ({ id, name, role });
    expect(defaultClientChoice([row('a', 'zeta', 'client'), row('b', 'alpha', 'device'), row('c', 'beta', 'client'), row('d', 'gw', 'server')])).toBe('c');
    expect(defaultClientChoice([row('b', 'alpha', 'device'), row('d', 'gw', 'server')])).toBe('b');
    expect(defaultClientChoice([row('d', 'gw', 'server')])).toBe(ONE_TIME_KEY);
  });
});

class HeldClient implements LinkTestCalls {
  readonly calls: Array<{ channel: string; args: Record<string, unknown> }> = [];
  readonly #pending: Array<{ resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];

  call<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
    this.calls.push({ channel, args: args as Record<string, unknown> });
    if (channel === 'links.testCancel') {
      this.#pending.shift()?.reject(Object.assign(new Error('the test was cancelled'), { code: 'refused' }));
      return Promise.resolve({ cancelled: true } as ResultOf<C>);
    }
    return new Promise((resolve, reject) => this.#pending.push({ resolve: resolve as (v: unknown) => void, reject }));
  }

  answer(result: unknown): void {
    this.#pending.shift()?.resolve(result);
  }
}

const RESULT = { verdict: 'ok', endpoint: 'tcp://127.0.0.1:5555', as: { ...ME, publicKey: 'k'.repeat(40), generation: 1, chosen: 'named' }, server: PEER };

describe('LinkTestRun', () => {
  it('clears the last result when a new test starts, and names each test so that it can be cancelled', async () => {
    let now = 0;
    const client = new HeldClient();
    const run = new LinkTestRun(client, () => now);
    const first = run.start({ peer: 'gw-07' });
    expect(run.running).toBe(true);
    now = 420;
    client.answer(RESULT);
    expect(await first).toMatchObject({ verdict: 'ok' });
    expect(run.result).toMatchObject({ verdict: 'ok' });
    expect(run.elapsedMs).toBe(420);

    const second = run.start({ peer: 'gw-07', oneTimeKey: true });
    expect(run.result).toBeNull();
    const testId = client.calls[1]!.args.testId as string;
    expect(testId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(testId).not.toBe(client.calls[0]!.args.testId);
    await run.cancel();
    expect(await second).toBeNull();
    expect(client.calls.at(-1)).toEqual({ channel: 'links.testCancel', args: { testId } });
    expect(run).toMatchObject({ running: false, cancelled: true, result: null, error: null });
  });
});

describe('sweep results', () => {
  const rows = [...Array(120)].map((_, i) => ({ verdict: i % 3 === 0 ? 'unreachable' : i % 10 === 1 ? 'rejected' : 'ok', i }));

  it('counts ok and failing links by verdict', () => {
    const summary = sweepSummary(rows);
    expect(summary.total).toBe(120);
    expect(summary.ok + summary.failing).toBe(120);
    expect(summary.byVerdict.find((v) => v.verdict === 'unreachable')?.count).toBe(40);
    expect(summary.failing).toBe(rows.filter((r) => r.verdict !== 'ok').length);
  });

  it('pages the rows and filters to failures only, clamping the page', () => {
    const all = sweepPage(rows, { failuresOnly: false, page: 2 });
    expect(all).toMatchObject({ page: 2, pages: 3, matching: 120 });
    expect(all.rows.map((r) => r.i)).toEqual([...Array(20)].map((_, k) => 100 + k));
    const failing = sweepPage(rows, { failuresOnly: true, page: 9 });
    expect(failing.matching).toBe(rows.filter((r) => r.verdict !== 'ok').length);
    expect(failing.rows.length).toBeGreaterThan(0);
    expect(failing.rows.every((r) => r.verdict !== 'ok')).toBe(true);
    expect(failing.page).toBe(failing.pages - 1);
  });
});
