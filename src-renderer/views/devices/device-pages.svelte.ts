// The Devices list's rows, fetched a page at a time (devices.list is lean and paged): a fleet has
// 100,000 devices and the list shows a screenful, so only the pages the window reaches are asked
// for. A filter change starts over; rows of a page still in flight read as placeholders.

export interface DeviceFilter {
  readonly text: string;
  readonly server: string;
  readonly batch: string;
  readonly tag: string;
  /** Active devices (the default), removed ones, or both. */
  readonly state: 'active' | 'removed' | 'all';
}

export interface PageAnswer<R> {
  readonly total: number;
  readonly offset: number;
  readonly devices: ReadonlyArray<R>;
}

export type FetchPage<R> = (filter: Readonly<DeviceFilter>, offset: number, limit: number) => Promise<PageAnswer<R>>;

export const PAGE_SIZE = 200;

/** The arguments devices.list takes for a filter (empty fields left out). */
export function listArgs(filter: Readonly<DeviceFilter>, offset: number, limit: number) {
  return {
    ...(filter.text.trim() ? { text: filter.text.trim() } : {}),
    ...(filter.server ? { server: filter.server } : {}),
    ...(filter.batch ? { batch: filter.batch } : {}),
    ...(filter.tag.trim() ? { tag: filter.tag.trim() } : {}),
    ...(filter.state === 'all' ? { includeRemoved: true } : filter.state === 'removed' ? { state: 'removed' as const } : {}),
    offset,
    limit,
  };
}

export class DevicePages<R> {
  readonly #fetch: FetchPage<R>;
  readonly #pageSize: number;
  #filter: DeviceFilter | null = null;
  #generation = 0;
  // Plain on purpose: `version` tells readers when rows arrived (100,000 reactive entries would not pay).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #rows = new Map<number, R>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #asked = new Set<number>();
  /** Bumped when rows arrive, so that what reads rowAt() reads again. */
  version = $state(0);
  total = $state(0);
  loaded = $state(false);
  error = $state<unknown>(null);
  /** 0..total-1: the list's items (a row is fetched when the window reaches it). */
  indices = $state.raw<ReadonlyArray<number>>([]);

  constructor(fetch: FetchPage<R>, pageSize = PAGE_SIZE) {
    this.#fetch = fetch;
    this.#pageSize = pageSize;
  }

  /** Starts over with this filter (or the same one: a refresh after a change); resolves when the first page is in. */
  async reset(filter: Readonly<DeviceFilter>): Promise<void> {
    this.#filter = { ...filter };
    this.#generation++;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.#rows = new Map();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.#asked = new Set();
    await this.#load(0);
  }

  /** The row at an index, or null while its page is on the way (asking for it). */
  rowAt(index: number): R | null {
    void this.version;
    const row = this.#rows.get(index);
    if (row !== undefined) return row;
    const page = Math.floor(index / this.#pageSize);
    if (!this.#asked.has(page)) queueMicrotask(() => void this.#load(page));
    return null;
  }

  async #load(page: number): Promise<void> {
    if (this.#asked.has(page) || this.#filter === null) return;
    this.#asked.add(page);
    const generation = this.#generation;
    try {
      const answer = await this.#fetch(this.#filter, page * this.#pageSize, this.#pageSize);
      if (generation !== this.#generation) return;
      answer.devices.forEach((row, i) => this.#rows.set(answer.offset + i, row));
      if (answer.total !== this.total || this.indices.length !== answer.total) {
        this.total = answer.total;
        this.indices = Array.from({ length: answer.total }, (_, i) => i);
      }
      this.error = null;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = error;
    } finally {
      if (generation === this.#generation) {
        this.loaded = true;
        this.version++;
      }
    }
  }
}
