// The local store's change feed: watches the data folder (not the file: a write replaces
// curvekeep.json by a rename, which a watch on the file would lose) and reads the revision from the
// document's header, the first bytes of the file, so a change costs one small read. Writes come in
// bursts (journal, next file, rename, audit), so a change is read once the folder is quiet for a
// moment. A slow poll backs the watch up (a folder made after the first wait, a network share
// whose events never come). Nothing runs until the first wait; close() stops all of it.
import { type FSWatcher, watch } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangeFeed } from '../ports/change-feed.js';

/** The header `{"format":"…","schema":N,"revision":R,` fits in this many bytes. */
const HEADER_BYTES = 256;
const DEBOUNCE_MS = 40;
const POLL_MS = 2_000;

/** The revision in the document's header; 0 when there is no document (yet) or no header. */
export async function readRevision(file: string): Promise<number> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return 0;
  }
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    const match = /"revision":(\d+)/.exec(buffer.toString('utf8', 0, bytesRead));
    return match ? Number(match[1]) : 0;
  } finally {
    await handle.close();
  }
}

interface Waiter {
  readonly since: number | null;
  readonly resolve: (revision: number) => void;
}

export class LocalChangeFeed implements ChangeFeed {
  readonly #home: string;
  readonly #file: string;
  #revision: number | null = null;
  #watcher: FSWatcher | null = null;
  #poll: NodeJS.Timeout | null = null;
  #debounce: NodeJS.Timeout | null = null;
  #waiters = new Set<Waiter>();
  #closed = false;

  constructor(home: string) {
    this.#home = home;
    this.#file = join(home, 'curvekeep.json');
  }

  async wait(since: number | null, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    if (this.#closed) return since ?? (await readRevision(this.#file));
    this.#start();
    const revision = await this.#read();
    if (since === null || revision !== since) return revision;
    if (signal?.aborted || timeoutMs <= 0 || this.#closed) return since;
    return new Promise<number>((resolve) => {
      const finish = (value: number) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(waiter);
        resolve(value);
      };
      const waiter: Waiter = { since, resolve: finish };
      const onAbort = () => finish(since);
      const timer = setTimeout(() => finish(since), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#poll) clearInterval(this.#poll);
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#poll = this.#debounce = null;
    for (const waiter of [...this.#waiters]) waiter.resolve(waiter.since ?? this.#revision ?? 0);
  }

  async #read(): Promise<number> {
    const revision = await readRevision(this.#file).catch(() => this.#revision ?? 0);
    this.#revision = revision;
    for (const waiter of [...this.#waiters]) if (waiter.since !== revision) waiter.resolve(revision);
    return revision;
  }

  #start(): void {
    if (!this.#poll) {
      this.#poll = setInterval(() => {
        this.#watchFolder();
        if (this.#waiters.size > 0) void this.#read();
      }, POLL_MS);
      this.#poll.unref();
    }
    this.#watchFolder();
  }

  #watchFolder(): void {
    if (this.#watcher || this.#closed) return;
    try {
      this.#watcher = watch(this.#home, { persistent: false }, (_event, name) => {
        if (name !== null && !String(name).startsWith('curvekeep.json')) return;
        if (this.#debounce) clearTimeout(this.#debounce);
        this.#debounce = setTimeout(() => {
          this.#debounce = null;
          void this.#read();
        }, DEBOUNCE_MS);
      });
      // The folder itself removed or renamed: watch again when the poll finds it.
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = null;
      });
    } catch {
      // No folder yet (an empty store): the poll tries again.
      this.#watcher = null;
    }
  }
}
