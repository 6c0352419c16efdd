// One link test at the place it was asked: the running clock, Cancel (links.testCancel stops it in
// the main process), and the one result, cleared when a new test starts. No DOM here: TestOutcome
// shows it, and the class is tested alone.
import type { ArgsOf, ChannelName, ResultOf } from '../../../src-main/ipc/contract.js';

export interface LinkTestCalls {
  call<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>>;
}

export type LinkTestResult = ResultOf<'links.test'>;
export type LinkTestArgs = Omit<ArgsOf<'links.test'>, 'testId'>;

function newTestId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `t${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class LinkTestRun {
  running = $state(false);
  elapsedMs = $state(0);
  result = $state<LinkTestResult | null>(null);
  /** Why the last test gave no verdict (shown in plain words by FieldError). */
  error = $state.raw<unknown>(null);
  cancelled = $state(false);
  /** The arguments of the last test (Test again). */
  lastArgs = $state<LinkTestArgs | null>(null);

  readonly #calls: LinkTestCalls;
  readonly #now: () => number;
  #testId: string | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(calls: LinkTestCalls, now: () => number = () => performance.now()) {
    this.#calls = calls;
    this.#now = now;
  }

  /** Runs one test; the previous result goes at once. Resolves with the result, or null. */
  async start(args: LinkTestArgs): Promise<LinkTestResult | null> {
    if (this.running) await this.cancel();
    const testId = newTestId();
    this.#testId = testId;
    this.result = null;
    this.error = null;
    this.cancelled = false;
    this.lastArgs = args;
    this.running = true;
    this.elapsedMs = 0;
    const startedAt = this.#now();
    this.#timer = setInterval(() => (this.elapsedMs = this.#now() - startedAt), 100);
    try {
      const result = await this.#calls.call('links.test', { ...args, testId });
      if (this.#testId !== testId) return null;
      this.result = result;
      return result;
    } catch (error) {
      if (this.#testId === testId && !this.cancelled) this.error = error;
      return null;
    } finally {
      if (this.#testId === testId) {
        this.elapsedMs = this.#now() - startedAt;
        this.running = false;
        this.#testId = null;
        if (this.#timer !== null) clearInterval(this.#timer);
        this.#timer = null;
      }
    }
  }

  /** Stops the running test in the main process; its answer is then dropped. */
  async cancel(): Promise<void> {
    const testId = this.#testId;
    if (testId === null) return;
    this.cancelled = true;
    this.#testId = null;
    this.running = false;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#calls.call('links.testCancel', { testId }).catch(() => undefined);
  }

  /** Stops the clock when the place goes away. */
  dispose(): void {
    void this.cancel();
  }
}
