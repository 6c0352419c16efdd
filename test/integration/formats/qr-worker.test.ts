// The built QR worker (dist/, as the CLI and the app run it) behind provisioning's pipeline:
// batches are posted to the worker as soon as they are asked for, so that it draws the next
// batch while the caller writes the files of the one before; answers come back in order, each
// a PNG of its own payload; a payload no QR code holds fails its batch only.
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseQrPayload, qrPayload } from '../../../src-main/core/formats/qr/payload.js';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';

const BUILT = new URL('../../../dist/main/core/formats/qr/bulk-renderer.js', import.meta.url).href;
type Renderer = { render(payloads: ReadonlyArray<string>): Promise<ReadonlyArray<Uint8Array>>; close(): Promise<void> };
const { qrRenderer } = (await import(BUILT)) as { qrRenderer: () => Renderer };

afterEach(() => vi.restoreAllMocks());

function decode(png: Uint8Array): string {
  const out = spawnSync('zbarimg', ['--quiet', '--raw', '-'], { input: png, encoding: 'utf8', timeout: 10_000 });
  return out.stdout.trim();
}

describe('the QR worker', () => {
  it('takes every batch at once and answers them in order', async () => {
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    const renderer = qrRenderer();
    try {
      const batches = [0, 1, 2].map((b) => [0, 1].map((i) => qrPayload({ name: `dev-${b}-${i}`, endpoint: null, publicKey: generateKeyPair().publicKey })));
      const answers = batches.map((batch) => renderer.render(batch));
      // All three are with the worker before any answer has come back.
      expect(posted).toHaveBeenCalledTimes(3);
      const pngs = await Promise.all(answers);
      pngs.forEach((batch, b) => batch.forEach((png, i) => expect(parseQrPayload(decode(png), 'the PNG').name).toBe(`dev-${b}-${i}`)));
    } finally {
      await renderer.close();
    }
  });

  it('fails the batch that holds a payload too long for a QR code, and goes on with the next', async () => {
    const renderer = qrRenderer();
    try {
      const good = qrPayload({ name: 'dev-ok', endpoint: null, publicKey: generateKeyPair().publicKey });
      const [bad, next] = [renderer.render(['x'.repeat(5000)]), renderer.render([good])];
      await expect(bad).rejects.toThrow(/cannot make a QR code/);
      expect(parseQrPayload(decode((await next)[0]!), 'the PNG').name).toBe('dev-ok');
    } finally {
      await renderer.close();
    }
  });
});
