// The Links view's sweep state (LinkSweep) and client choice without a DOM. The contract client is
// a recording stub that answers from a script; the real sweep against live peers is covered by
// test/e2e/links.test.ts and test/integration/link/cross-face.test.ts.
import { describe, expect, it } from 'vitest';
import type { ArgsOf, ChannelName, ResultOf } from '../../../src-main/ipc/contract.js';
import { ONE_TIME_KEY, clientArgs, clientIdentities, testedAs } from '../../../src-renderer/views/links/client-choice.js';
import { type LinkCalls, LinkSweep, type SweepRow, rowKey } from '../../../src-renderer/views/links/link-sweep.svelte.js';
import { plainError } from '../../../src-renderer/lib/plain-errors.js';

type Answer = (args: unknown) => unknown;

class RecordingStubClient implements LinkCalls {
  readonly calls: Array<{ channel: string; args: unknown }> = [];
  readonly #answers = new Map<string, Answer[]>();

  answer(channel: ChannelName, ...answers: Answer[]): this {
    this.#answers.set(channel, [...(this.#answers.get(channel) ?? []), ...answers]);
    return this;
  }

  async call<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
    this.calls.push({ channel, args });
    const answer = this.#answers.get(channel)?.shift();
    if (!answer) throw new Error(`the stub has no answer for ${channel}`);
    return answer(args) as ResultOf<C>;
  }
}

const JOB = `job_${'a'.repeat(32)}`;
const AS = { id: 'id_laptop', name: 'laptop', publicKey: 'k'.repeat(40), generation: 1, oneTime: false, chosen: 'only-usable' as const };
const SKIP = { kind: 'peer' as const, peerId: 'pe_plc', peerName: 'plc', endpoint: 'ipc:///tmp/plc', reason: 'not-tcp' as const };

function row(peerName: string | null, endpoint: string, verdict: SweepRow['verdict']): SweepRow {
  return {
    verdict, endpoint, mechanism: null, handshakeMs: null, rttMs: null, hint: 'h', detail: 'd',
    next: { action: 'none', socketType: null, allowClientKey: false },
    peerId: peerName ? `pe_${peerName}` : null, peerName,
    server: peerName ? { kind: 'peer', id: `pe_${peerName}`, name: peerName } : { kind: 'key', id: null, name: null },
  };
}

function progress(state: 'running' | 'done' | 'cancelled', done: number, from: number, results: SweepRow[]) {
  return () => ({ jobId: JOB, state, done, total: 2, from, results, error: null });
}

describe('LinkSweep', () => {
  it('starts with the default client, keeps the skipped endpoints and whom it tested as, and follows the job to its end', async () => {
    const stub = new RecordingStubClient()
      .answer('links.sweepStart', () => ({ jobId: JOB, total: 2, skipped: [SKIP], as: AS }))
      .answer('links.sweepProgress',
        progress('running', 1, 0, [row('echo', 'tcp://127.0.0.1:5555', 'ok')]),
        progress('done', 2, 1, [row('gone', 'tcp://127.0.0.1:9', 'unreachable')]));
    const sweep = new LinkSweep(stub, new AbortController().signal, 1);
    expect(sweep.state).toBe('idle');
    expect(await sweep.start(3000)).toBe('done');
    expect(stub.calls).toEqual([
      { channel: 'links.sweepStart', args: { timeoutMs: 3000 } },
      { channel: 'links.sweepProgress', args: { jobId: JOB, from: 0 } },
      { channel: 'links.sweepProgress', args: { jobId: JOB, from: 1 } },
    ]);
    expect(sweep.rows.map((r) => [r.peerName, r.verdict])).toEqual([['echo', 'ok'], ['gone', 'unreachable']]);
    expect(sweep.skipped).toEqual([SKIP]);
    expect(sweep.testedAs).toEqual(AS);
    expect([sweep.done, sweep.total, sweep.running]).toEqual([2, 2, false]);
  });

  it('asks for a one-time key only when it was chosen, and for a named identity by id', async () => {
    const stub = new RecordingStubClient()
      .answer('links.sweepStart',
        () => ({ jobId: JOB, total: 0, skipped: [], as: { ...AS, id: null, name: null, generation: null, oneTime: true, chosen: 'one-time' } }),
        () => ({ jobId: JOB, total: 0, skipped: [], as: AS }))
      .answer('links.sweepProgress', progress('done', 0, 0, []), progress('done', 0, 0, []));
    const sweep = new LinkSweep(stub, new AbortController().signal, 1);
    sweep.client = ONE_TIME_KEY;
    await sweep.start(1000);
    expect(testedAs(sweep.testedAs!)).toBe('a one-time key');
    sweep.client = 'id_laptop';
    await sweep.start(1000);
    expect(stub.calls.filter((c) => c.channel === 'links.sweepStart').map((c) => c.args)).toEqual([
      { oneTimeKey: true, timeoutMs: 1000 },
      { as: 'id_laptop', timeoutMs: 1000 },
    ]);
  });

  it('a refused start is an error on the panel, and nothing runs', async () => {
    const stub = new RecordingStubClient().answer('links.sweepStart', () => {
      throw Object.assign(new Error('choose the identity to test as: there are 2 client or device identities (a, b)'), { code: 'choose-client-identity' });
    });
    const sweep = new LinkSweep(stub, new AbortController().signal, 1);
    expect(await sweep.start(1000)).toBe('failed');
    expect(plainError(sweep.error)).toMatch(/choose the identity/i);
    expect(sweep.rows).toEqual([]);
    await sweep.cancel();
    expect(stub.calls.map((c) => c.channel)).toEqual(['links.sweepStart']);
  });

  it('cancels the running job', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const stub = new RecordingStubClient()
      .answer('links.sweepStart', () => ({ jobId: JOB, total: 2, skipped: [], as: AS }))
      .answer('links.sweepProgress', progress('running', 0, 0, []), async () => {
        await held;
        return progress('cancelled', 1, 0, [row('echo', 'tcp://127.0.0.1:5555', 'ok')])();
      })
      .answer('links.sweepCancel', () => ({ jobId: JOB, state: 'cancelled' }));
    const sweep = new LinkSweep(stub, new AbortController().signal, 1);
    const finished = sweep.start(1000);
    await expect.poll(() => sweep.running).toBe(true);
    await sweep.cancel();
    release();
    expect(await finished).toBe('cancelled');
    expect(stub.calls.map((c) => c.channel)).toContain('links.sweepCancel');
    expect(sweep.rows).toHaveLength(1);
  });
});

describe('client choice and row keys', () => {
  it('maps the select value to the channel arguments', () => {
    expect(clientArgs('')).toEqual({});
    expect(clientArgs('id_x')).toEqual({ as: 'id_x' });
    expect(clientArgs(ONE_TIME_KEY)).toEqual({ oneTimeKey: true });
  });

  it('offers client and device identities only', () => {
    const identity = (name: string, role: 'server' | 'client' | 'device') => ({ name, role }) as unknown as ResultOf<'keys.list'>['identities'][number];
    expect(clientIdentities([identity('gw', 'server'), identity('laptop', 'client'), identity('plc', 'device')]).map((i) => i.name)).toEqual(['laptop', 'plc']);
  });

  it('keys rows by peer and endpoint, so one peer with two endpoints gives two rows', () => {
    expect(rowKey(row('echo', 'tcp://127.0.0.1:1', 'ok'))).not.toBe(rowKey(row('echo', 'tcp://127.0.0.1:2', 'ok')));
    expect(rowKey(row(null, 'tcp://127.0.0.1:1', 'ok'))).not.toBe(rowKey(row('echo', 'tcp://127.0.0.1:1', 'ok')));
  });
});
