// The keys "Rotate all overdue" (the Timeline) hands to the rotation wizard, taken one after
// another. Held in the page, not in the URL: a fleet's list outgrows a location hash (Chromium
// refuses a URL over 2 MB, about 100,000 ids) and a call with an argument per key (the stack, past
// about 120,000). The wizard's URL names the key it is on (#/rotation/ID); the queue says what follows.

interface Queue {
  readonly ids: ReadonlyArray<string>;
  /** Each id's place in `ids`. */
  readonly position: ReadonlyMap<string, number>;
}

function queueOf(ids: ReadonlyArray<string>): Queue {
  // Never changed once made: a new queue replaces the whole value.
  return { ids, position: new Map(ids.map((id, i) => [id, i])) };
}

export class RotationQueue {
  #queue = $state.raw<Queue>(queueOf([]));

  /** Every queued id, in order (the first is the one the wizard opened first). */
  get ids(): ReadonlyArray<string> {
    return this.#queue.ids;
  }

  /** Queues `ids` (a new queue replaces the old one); the wizard is then opened on the first. */
  start(ids: ReadonlyArray<string>): void {
    this.#queue = queueOf(ids);
  }

  /** The ids queued after `id`, in order; none when `id` is not queued. */
  after(id: string): ReadonlyArray<string> {
    const { ids, position } = this.#queue;
    const at = position.get(id);
    return at === undefined ? [] : ids.slice(at + 1);
  }

  /** Ends the queue (the user chose a single identity). */
  clear(): void {
    this.#queue = queueOf([]);
  }
}

/** The page's one queue. */
export const rotationQueue = new RotationQueue();
