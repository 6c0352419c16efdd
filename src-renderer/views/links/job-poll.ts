// Follows a long job (a sweep, a provisioning run) by polling its `*.progress` channel: each poll
// asks for the results from where the last one ended, so a long run costs little per poll.
// Works the same over Electron IPC and the bridge's HTTP, since each poll is a plain call.

export interface JobProgress<R> {
  readonly jobId: string;
  readonly state: 'running' | 'done' | 'cancelled' | 'failed';
  readonly done: number;
  readonly total: number;
  readonly from: number;
  readonly results: ReadonlyArray<R>;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export const POLL_INTERVAL_MS = 200;

/**
 * Polls until the job ends or `signal` aborts; `onUpdate` gets every poll with all results so
 * far. Resolves with the last progress (or null when stopped by the signal).
 */
export async function followJob<P extends JobProgress<unknown>>(
  poll: (from: number) => Promise<P>,
  onUpdate: (progress: P, results: ReadonlyArray<P['results'][number]>) => void,
  signal: AbortSignal,
  intervalMs = POLL_INTERVAL_MS,
): Promise<P | null> {
  const results: Array<P['results'][number]> = [];
  for (;;) {
    if (signal.aborted) return null;
    const progress = await poll(results.length);
    for (const result of progress.results) results.push(result);
    onUpdate(progress, results.slice());
    // More results waiting than one poll carries: ask again at once.
    if (results.length < progress.done && progress.results.length > 0) continue;
    if (progress.state !== 'running') return progress;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
