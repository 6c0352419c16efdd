// The sweep panel's state: one sweep job at a time over every peer's TCP endpoints, followed by
// polling, with the endpoints the main process skipped (and why) and whom it tested as. No DOM
// here: SweepPanel.svelte shows it, and the class is tested alone.
import type { ArgsOf, ChannelName, ResultOf } from '../../../src-main/ipc/contract.js';
import { clientArgs } from './client-choice.js';
import { POLL_INTERVAL_MS, followJob } from './job-poll.js';

/** The contract client's one method the sweep needs (the real ContractClient, or a test's stub). */
export interface LinkCalls {
  call<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>>;
}

export type SweepRow = ResultOf<'links.sweepProgress'>['results'][number];
export type SweepSkip = ResultOf<'links.sweepStart'>['skipped'][number];
export type SweepState = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export const SKIP_REASONS: Readonly<Record<SweepSkip['reason'], string>> = {
  'not-tcp': 'not a TCP endpoint',
  'no-endpoint': 'no endpoint',
};

/** A stable key for a row: a peer can have several endpoints, and an endpoint several peers. */
export function rowKey(row: Pick<SweepRow, 'peerId' | 'endpoint'>): string {
  return `${row.peerId ?? '-'} ${row.endpoint}`;
}

export class LinkSweep {
  /** Whom to test as: '' (the default identity), an identity id, or ONE_TIME_KEY. */
  client = $state('');
  state = $state<SweepState>('idle');
  done = $state(0);
  total = $state(0);
  rows = $state<ReadonlyArray<SweepRow>>([]);
  skipped = $state<ReadonlyArray<SweepSkip>>([]);
  testedAs = $state<ResultOf<'links.sweepStart'>['as'] | null>(null);
  /** What stopped the sweep (a typed call failure), worded by lib/plain-errors.ts where it is shown. */
  error = $state<unknown>(null);

  readonly #calls: LinkCalls;
  readonly #signal: AbortSignal;
  readonly #intervalMs: number;
  #jobId: string | null = null;

  constructor(calls: LinkCalls, signal: AbortSignal, intervalMs = POLL_INTERVAL_MS) {
    this.#calls = calls;
    this.#signal = signal;
    this.#intervalMs = intervalMs;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Starts a sweep and follows it to its end; resolves with the final state. */
  async start(timeoutMs: number): Promise<SweepState> {
    this.error = null;
    this.rows = [];
    this.skipped = [];
    this.done = 0;
    try {
      const started = await this.#calls.call('links.sweepStart', { ...clientArgs(this.client), timeoutMs });
      this.#jobId = started.jobId;
      this.total = started.total;
      this.skipped = started.skipped;
      this.testedAs = started.as;
      this.state = 'running';
      const last = await followJob(
        (from) => this.#calls.call('links.sweepProgress', { jobId: started.jobId, from }),
        (progress, rows) => {
          this.done = progress.done;
          this.total = progress.total;
          this.rows = rows;
          this.state = progress.state;
        },
        this.#signal,
        this.#intervalMs,
      );
      if (last?.error) this.error = last.error;
    } catch (error) {
      this.error = error;
      this.state = 'failed';
    }
    return this.state;
  }

  async cancel(): Promise<void> {
    if (!this.#jobId || this.state !== 'running') return;
    await this.#calls.call('links.sweepCancel', { jobId: this.#jobId });
  }
}

