// A list view's first page asked for as the page boots, when that view is the one being opened:
// the call runs while the view's code loads, instead of after it. The view takes it once; a later
// visit, or a view that opened late (the answer may be stale by then), asks again.

/** Older than this, a prefetched answer is not used. */
const FRESH_MS = 10_000;

export interface Prefetch<T> {
  /** Starts the call now; the promise settles (never rejects) once the answer is in. */
  start(call: () => Promise<T>): Promise<void>;
  /** The answer started earlier, once and while fresh; else null. */
  take(): Promise<T> | null;
}

export function prefetch<T>(): Prefetch<T> {
  let early: Promise<T> | null = null;
  let askedAt = 0;
  return {
    start(call) {
      askedAt = performance.now();
      early = call();
      // Failures are reported when the view takes the answer; this only keeps them from going unhandled.
      return early.then(
        () => undefined,
        () => undefined,
      );
    },
    take() {
      const pending = early;
      early = null;
      return pending && performance.now() - askedAt < FRESH_MS ? pending : null;
    },
  };
}
