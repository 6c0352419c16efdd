// How the app learns that the fleet changed (here, in another process, or by a colleague in the
// team workspace): the page long-polls `changes.wait`, which waits on this feed. The local store's
// feed watches its data folder; the PostgreSQL workspace's feed LISTENs to its notifications.
export interface ChangeFeed {
  /**
   * Resolves with the current revision as soon as it differs from `since` (null: at once), or
   * with `since` when `timeoutMs` passes first or `signal` aborts. Never rejects for a timeout.
   */
  wait(since: number | null, timeoutMs: number, signal?: AbortSignal): Promise<number>;
  /** Stops watching (the app quitting, the bridge stopping). */
  close(): Promise<void>;
}
