// Bulk QR rendering, in a worker thread when the built worker script is there (the CLI and the
// app run from dist/), in the calling thread otherwise (tests run the TypeScript sources).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidInputError } from '../../errors.js';
import { bulkQrPng } from './bulk-png.js';

export interface QrRenderer {
  /** Whether render() draws in another thread, so that drawHere() in the meantime adds a core. */
  readonly parallel: boolean;
  /** PNGs of the payloads, in order. */
  render(payloads: ReadonlyArray<string>): Promise<ReadonlyArray<Uint8Array>>;
  /** PNGs of the payloads, drawn in the calling thread. */
  drawHere(payloads: ReadonlyArray<string>): ReadonlyArray<Uint8Array>;
  close(): Promise<void>;
}

const drawHere = (payloads: ReadonlyArray<string>): ReadonlyArray<Uint8Array> => payloads.map((payload) => bulkQrPng(payload));

const inline: QrRenderer = {
  parallel: false,
  render: async (payloads) => drawHere(payloads),
  drawHere,
  close: async () => undefined,
};

interface Pending {
  readonly resolve: (pngs: ReadonlyArray<Uint8Array>) => void;
  readonly reject: (error: Error) => void;
}

class WorkerRenderer implements QrRenderer {
  readonly parallel = true;
  readonly drawHere = drawHere;
  readonly #worker: Worker;
  /** Batches posted and not answered yet, oldest first: the worker answers them in order. */
  readonly #pending: Pending[] = [];
  #failed: Error | null = null;

  constructor(script: URL) {
    this.#worker = new Worker(script);
    this.#worker.unref();
    this.#worker.on('message', (answer: { pngs?: Uint8Array[]; error?: string }) => {
      const pending = this.#pending.shift();
      if (answer.error !== undefined) pending?.reject(new InvalidInputError(`cannot make a QR code: ${answer.error}`));
      else pending?.resolve(answer.pngs!);
    });
    const fail = (error: Error): void => {
      this.#failed ??= error;
      for (const pending of this.#pending.splice(0)) pending.reject(error);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the QR worker stopped (exit code ${code})`)));
  }

  render(payloads: ReadonlyArray<string>): Promise<ReadonlyArray<Uint8Array>> {
    // Posted at once, not after the previous answer: while the caller writes one batch's files,
    // the worker draws the next batch's codes (posted after an answer, the worker waited until
    // the caller had finished writing, and the caller then waited for the worker).
    return new Promise((resolve, reject) => {
      if (this.#failed) {
        reject(this.#failed);
        return;
      }
      this.#pending.push({ resolve, reject });
      this.#worker.postMessage(payloads);
    });
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
