// Renders bulk QR PNGs off the main thread, so that on a two-core machine the codes are drawn
// while the main thread creates bundle files. Receives arrays of payloads, answers with PNGs.
import { parentPort } from 'node:worker_threads';
import { bulkQrPng } from './bulk-png.js';

parentPort?.on('message', (payloads: ReadonlyArray<string>) => {
  try {
    parentPort!.postMessage({ pngs: payloads.map((payload) => bulkQrPng(payload)) });
  } catch (error) {
    parentPort!.postMessage({ error: (error as Error).message });
  }
});
