// Bulk QR rendering, in a worker thread when the built worker script is there (the CLI and the
// app run from dist/), in the calling thread otherwise (tests run the TypeScript sources).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidInputError } from '../../errors.js';
import { bulkQrPng } from './bulk-png.js';

export interface QrRenderer {
  /** PNGs of the payloads, in order. */
  render(payloads: ReadonlyArray<string>): Promise<ReadonlyArray<Uint8Array>>;
  close(): Promise<void>;
}

const inline: QrRenderer = {
  render: async (payloads) => payloads.map((payload) => bulkQrPng(payload)),
  close: async () => undefined,
};

class WorkerRenderer implements QrRenderer {
  readonly #worker: Worker;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(script: URL) {
    this.#worker = new Worker(script);
    this.#worker.unref();
  }

  render(payloads: ReadonlyArray<string>): Promise<ReadonlyArray<Uint8Array>> {
    // One batch at a time: answers come back in the order asked.
    const job = this.#queue.then(
      () =>
        new Promise<ReadonlyArray<Uint8Array>>((resolve, reject) => {
          const onError = (error: Error): void => reject(error);
          this.#worker.once('error', onError);
          this.#worker.once('message', (answer: { pngs?: Uint8Array[]; error?: string }) => {
            this.#worker.off('error', onError);
            if (answer.error !== undefined) reject(new InvalidInputError(`cannot make a QR code: ${answer.error}`));
            else resolve(answer.pngs!);
          });
          this.#worker.postMessage(payloads);
        }),
    );
    this.#queue = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

export function qrRenderer(): QrRenderer {
  const script = new URL('./bulk-worker.js', import.meta.url);
  if (script.protocol !== 'file:' || !existsSync(fileURLToPath(script))) return inline;
  return new WorkerRenderer(script);
}
