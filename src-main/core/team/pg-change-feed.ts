// The team workspace's ChangeFeed: one connection that LISTENs to `curvekeep_changes` (every
// change transaction's `UPDATE meta` notifies its new revision). `wait` resolves as soon as the
// revision differs from what the caller last saw; when the database is unreachable it resolves
// with `since` after the timeout (and the next call tries to connect again), so that a page or
// `status --watch` keeps its last state and retries.
import type { ChangeFeed } from '../ports/change-feed.js';
import type { WorkspaceConnection } from './connection.js';
import { openStoreConnection } from './store-connection.js';

const CHANNEL = 'curvekeep_changes';

export class PgChangeFeed implements ChangeFeed {
  readonly #url: string;
  readonly #options: { password?: string; connectTimeoutMs?: number };
  #conn: Promise<WorkspaceConnection> | null = null;
  #revision: number | null = null;
  #waiters = new Set<() => void>();
  #closed = false;
  /** Whether the last attempt reached the database (for a banner: the workspace unreachable). */
  #reachable: boolean | null = null;

  constructor(url: string, options: { password?: string; connectTimeoutMs?: number } = {}) {
    this.#url = url;
    this.#options = options;
  }

  get reachable(): boolean | null {
    return this.#reachable;
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  async #connect(): Promise<WorkspaceConnection> {
    if (!this.#conn) {
      const opening = (async () => {
        const conn = await openStoreConnection(this.#url, this.#options);
        const drop = () => {
          if (this.#conn === opening) this.#conn = null;
          this.#reachable = false;
          this.#wake();
        };
        conn.client.on('error', drop);
        conn.client.on('end', drop);
        conn.client.on('notification', (message) => {
          if (message.channel !== CHANNEL) return;
          const revision = Number(message.payload);
          if (Number.isFinite(revision) && (this.#revision === null || revision > this.#revision)) this.#revision = revision;
          this.#wake();
        });
        await conn.client.query(`LISTEN ${CHANNEL}`);
        // Read after LISTEN: a change committed in between is either in this read or notified.
        const { rows } = await conn.client.query<{ revision: string }>('SELECT revision::text AS revision FROM curvekeep.meta');
        const revision = Number(rows[0]?.revision ?? 0);
        if (this.#revision === null || revision > this.#revision) this.#revision = revision;
        this.#reachable = true;
        return conn;
      })();
      this.#conn = opening;
      opening.catch(() => {
        if (this.#conn === opening) this.#conn = null;
        this.#reachable = false;
      });
    }
    return this.#conn;
  }

  async wait(since: number | null, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    if (this.#closed) return since ?? this.#revision ?? 0;
    const started = Date.now();
    try {
      await this.#connect();
    } catch {
      // Unreachable: wait out the rest of the timeout (no busy retry), then report no change.
      const rest = Math.max(0, timeoutMs - (Date.now() - started));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, rest);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      return since ?? this.#revision ?? 0;
    }
    const current = () => this.#revision ?? 0;
    if (since === null || current() !== since) return current();
    return new Promise<number>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        signal?.removeEventListener('abort', done);
        resolve(this.#closed ? since : current());
      };
      const check = () => {
        if (current() !== since || this.#closed || this.#conn === null) done();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs - (Date.now() - started)));
      this.#waiters.add(check);
      signal?.addEventListener('abort', done, { once: true });
      if (signal?.aborted) done();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake();
    const opening = this.#conn;
    this.#conn = null;
    const conn = await opening?.catch(() => null);
    await conn?.close().catch(() => undefined);
  }
}
