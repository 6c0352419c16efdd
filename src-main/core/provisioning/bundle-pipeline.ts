// Bundles are made in batches on two threads: the QR renderer's worker draws the codes of the
// batches at the front of the list, up to 8 ahead, while this thread writes the files of the batch
// whose codes are drawn. When that batch is not drawn yet, this thread does not wait: it takes the
// last batch nobody has taken yet, draws and writes it itself, and looks again. So neither thread
// idles while work is left (the worker starting up, or a slow file system, no longer makes the
// other wait). A batch's key pairs are made when it is handed out, so at most 9 batches' secrets
// (8 handed out, 1 taken here) are in memory at once. Batches are written out of order; each item
// knows its own place.
import type { QrRenderer } from '../formats/qr/bulk-renderer.js';

/** Items per batch: one message to the worker, and one turn of this thread. */
export const BUNDLE_BATCH = 200;
/**
 * Batches handed to the worker and not written yet: enough that it does not run dry while this
 * thread writes, and a bound on the secrets in memory when writing is the slower part.
 */
const WORKER_AHEAD = 8;

export interface BundleSteps<I, P extends { readonly payload: string }> {
  /** The item's key pair and QR payload (run just before its batch is drawn). */
  prepare(item: I): P;
  /** Writes one item's bundle; what it throws ends the run (a row's own failure is caught inside). */
  write(prepared: P, png: Uint8Array): void;
  /** After each batch is written. */
  written?(): void;
}

interface Posted<P> {
  readonly prepared: ReadonlyArray<P>;
  readonly pngs: Promise<ReadonlyArray<Uint8Array>>;
  ready: boolean;
}

/** Resolves after the events waiting now (a worker's answers, IPC calls) have been handled. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function drawAndWrite<I, P extends { readonly payload: string }>(
  renderer: QrRenderer,
  items: ReadonlyArray<I>,
  steps: BundleSteps<I, P>,
  batchSize: number = BUNDLE_BATCH,
): Promise<void> {
  const batches: I[][] = [];
  for (let i = 0; i < items.length; i += batchSize) batches.push(items.slice(i, i + batchSize));
  const writeBatch = (prepared: ReadonlyArray<P>, pngs: ReadonlyArray<Uint8Array>): void => {
    prepared.forEach((item, i) => steps.write(item, pngs[i]!));
    steps.written?.();
  };
  /** Batches before `front` went to the worker; batches from `back` on were taken by this thread. */
  let front = 0;
  let back = batches.length;
  const posted: Array<Posted<P>> = [];
  const post = (): void => {
    while (front < back && posted.length < WORKER_AHEAD) {
      const prepared = batches[front++]!.map((item) => steps.prepare(item));
      const entry: Posted<P> = {
        prepared,
        ready: false,
        pngs: renderer.render(prepared.map((p) => p.payload)).then((pngs) => {
          entry.ready = true;
          return pngs;
        }),
      };
      // A failed worker rejects every posted batch; the first one awaited reports it.
      entry.pngs.catch(() => undefined);
      posted.push(entry);
    }
  };
  for (post(); posted.length > 0; post()) {
    const head = posted[0]!;
    if (!head.ready && renderer.parallel && front < back) {
      const prepared = batches[--back]!.map((item) => steps.prepare(item));
      writeBatch(prepared, renderer.drawHere(prepared.map((p) => p.payload)));
    } else {
      posted.shift();
      writeBatch(head.prepared, await head.pngs);
    }
    // Lets the worker's answers in, so that the next post() sees which batches it has done.
    if (renderer.parallel) await nextTurn();
  }
}
