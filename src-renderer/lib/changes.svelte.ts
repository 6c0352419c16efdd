// Live refresh: while a view listens, one loop long-polls `changes.wait` (the store's revision, as
// the main process's change feed sees it) and tells the listeners when it moved, whoever moved it:
// this page, the CLI, another app window, a colleague in the team workspace. No new transport: a
// plain call, the same over Electron IPC and the bridge. The loop stops when the last view stops
// listening (after the wait under way answers; it is not cut, so no request fails).
import { afterPaint } from './after-paint.js';
import type { ContractClient } from './contract-client.js';

/** How long one wait may last (the channel caps it at 25 s). */
export const CHANGES_WAIT_MS = 25_000;
/** After a failed wait (the bridge restarting), wait this long before asking again. */
const RETRY_MS = 2_000;

export type ChangeListener = (revision: number) => void;

export class ChangeWatcher {
  readonly #client: ContractClient;
  // Not state: who listens changes nothing on the page.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #listeners = new Set<ChangeListener>();
  #running = false;
  /** The last revision seen; null before the first answer. */
  revision = $state<number | null>(null);

  constructor(client: ContractClient) {
    this.#client = client;
  }

  /** Calls `listener` after each change; returns the function that stops it. */
  listen(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    if (!this.#running) void this.#loop();
    return () => void this.#listeners.delete(listener);
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      // Not before the next frame: a view listens from its first render, and its rows come first.
      await afterPaint();
      while (this.#listeners.size > 0) {
        let revision: number;
        try {
          ({ revision } = await this.#client.call('changes.wait', { since: this.revision, timeoutMs: CHANGES_WAIT_MS }));
        } catch {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          continue;
        }
        const before = this.revision;
        this.revision = revision;
        if (before !== null && revision !== before) for (const listener of [...this.#listeners]) listener(revision);
      }
    } finally {
      this.#running = false;
    }
  }
}

const watchers = new WeakMap<ContractClient, ChangeWatcher>();

/** The one watcher of this page's client. */
export function changesOf(client: ContractClient): ChangeWatcher {
  let watcher = watchers.get(client);
  if (!watcher) {
    watcher = new ChangeWatcher(client);
    watchers.set(client, watcher);
  }
  return watcher;
}

/** For a view: refresh on every change while mounted (call in the component's script). */
export function refreshOnChange(client: () => ContractClient, refresh: ChangeListener): void {
  $effect(() => changesOf(client()).listen(refresh));
}
