// Provisioning's and reissue's pipeline (core/provisioning/bundle-pipeline.ts) over the built QR
// worker, as the CLI and the app run it: while the worker draws the batches at the front, this
// thread draws and writes batches from the back instead of waiting, so every item is written
// exactly once, with the PNG of its own payload, by whichever thread drew it. A batch the worker
// cannot draw fails the run with its reason, and the batches still out leave no rejection
// unhandled (vitest fails a test that leaves one).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { bulkQrPng } from '../../../src-main/core/formats/qr/bulk-png.js';
import { qrRenderer as sourceRenderer, type QrRenderer } from '../../../src-main/core/formats/qr/bulk-renderer.js';
import { qrPayload } from '../../../src-main/core/formats/qr/payload.js';
import { drawAndWrite } from '../../../src-main/core/provisioning/bundle-pipeline.js';

const BUILT = new URL('../../../dist/main/core/formats/qr/bulk-renderer.js', import.meta.url).href;
const { qrRenderer: builtRenderer } = (await import(BUILT)) as { qrRenderer: () => QrRenderer };

afterEach(() => vi.restoreAllMocks());

interface Item {
  readonly index: number;
  readonly payload: string;
}

const items = (count: number): Item[] =>
  Array.from({ length: count }, (_, index) => ({ index, payload: qrPayload({ name: `meter-${index}`, endpoint: 'tcp://127.0.0.1:5555', publicKey: generateKeyPair().publicKey }) }));

/** Runs the pipeline; `writeMs` makes each write take that long (a slow disk). `most`: the most items made and not written at once. */
async function run(renderer: QrRenderer, list: ReadonlyArray<Item>, batchSize: number, writeMs = 0) {
  const writes: Array<{ index: number; png: Uint8Array }> = [];
  let prepared = 0;
  let batches = 0;
  let most = 0;
  try {
    await drawAndWrite(renderer, list, {
      prepare: (item) => {
        prepared += 1;
        most = Math.max(most, prepared - writes.length);
        return item;
      },
      write: (item, png) => {
        const until = performance.now() + writeMs;
        while (performance.now() < until);
        writes.push({ index: item.index, png });
      },
      written: () => (batches += 1),
    }, batchSize);
  } finally {
    await renderer.close();
  }
  return { writes, prepared, batches, most };
}

describe('drawing and writing bundles on two threads', () => {
  it('writes every item once with its own PNG, drawn by the worker and by this thread', async () => {
    const list = items(1200);
    const renderer = builtRenderer();
    expect(renderer.parallel).toBe(true);
    const here = vi.spyOn(renderer, 'drawHere');
    const sent = vi.spyOn(renderer, 'render');
    const { writes, prepared, batches } = await run(renderer, list, 50);

    expect(prepared).toBe(1200);
    expect(batches).toBe(24);
    expect(writes.map((w) => w.index).sort((a, b) => a - b)).toEqual(list.map((i) => i.index));
    for (const { index, png } of writes) expect(Buffer.from(png).equals(bulkQrPng(list[index]!.payload)), `PNG of item ${index}`).toBe(true);
    // Both threads drew: the worker its batches, this thread at least the last one (it looks
    // before the worker, still starting, can have answered).
    expect(here).toHaveBeenCalled();
    expect(sent).toHaveBeenCalled();
    const drawnHere = here.mock.calls.reduce((n, [payloads]) => n + payloads.length, 0);
    const drawnThere = sent.mock.calls.reduce((n, [payloads]) => n + payloads.length, 0);
    expect(drawnHere + drawnThere).toBe(1200);
    expect(here.mock.calls[0]![0]).toEqual(list.slice(1150).map((i) => i.payload));
  });

  it('keeps at most nine batches made and not written when writing is the slower part (their secrets are in memory)', async () => {
    // A slow disk: 1 ms a bundle, several times what the worker takes to draw one.
    const { writes, most } = await run(builtRenderer(), items(1000), 20, 1);
    expect(writes).toHaveLength(1000);
    expect(most).toBeLessThanOrEqual(9 * 20);
  });

  it('draws in order in the calling thread when no worker is built beside the sources', async () => {
    const renderer = sourceRenderer();
    expect(renderer.parallel).toBe(false);
    const list = items(120);
    const { writes, batches } = await run(renderer, list, 50);
    expect(batches).toBe(3);
    expect(writes.map((w) => w.index)).toEqual(list.map((i) => i.index));
  });

  it('fails with the reason of a batch the worker cannot draw, leaving no rejection unhandled', async () => {
    const list = items(400);
    const bad = [{ index: 0, payload: 'x'.repeat(5000) }, ...list.slice(1)];
    const renderer = builtRenderer();
    await expect(run(renderer, bad, 50)).rejects.toThrow(/cannot make a QR code/);
    // The batches still with the worker when it was closed rejected too; give them a turn.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
