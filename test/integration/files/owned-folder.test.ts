// OwnedFolder, the one helper allowlists, distribution folders and provisioning output write
// through: what it claims it may replace and remove, everything else it leaves and names.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotOwnedError, OWNED_MANIFEST, OwnedFolder } from '../../../src-main/core/owned-folder.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'curvekeep-owned-folder-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('OwnedFolder', () => {
  it('records what it wrote, by scope, and removes only its own scope\'s stale files', async () => {
    const a = await OwnedFolder.open(dir, 'a');
    await a.claim(['one.key', 'two.key']);
    await a.write('one.key', '1', 0o644);
    await a.write('two.key', '2', 0o644);
    const b = await OwnedFolder.open(dir, 'b');
    await b.claim(['three.key']);
    await b.write('three.key', '3', 0o644);
    writeFileSync(join(dir, 'mine.key'), 'hand-placed');

    const again = await OwnedFolder.open(dir, 'a');
    expect(await again.removeStale(new Set(['one.key']))).toEqual([join(dir, 'two.key')]);
    expect(await again.foreign()).toEqual([join(dir, 'mine.key')]);
    expect(JSON.parse(readFileSync(join(dir, OWNED_MANIFEST), 'utf8')).files).toEqual({ 'one.key': 'a', 'three.key': 'b' });
  });

  it('refuses to claim a file it did not write, changing nothing, unless forced', async () => {
    writeFileSync(join(dir, 'x.key'), 'theirs');
    const folder = await OwnedFolder.open(dir, 'a');
    const error = await folder.claim(['x.key', 'y.key']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotOwnedError);
    expect((error as NotOwnedError).files).toEqual([join(dir, 'x.key')]);
    expect(folder.owns('y.key')).toBe(false);
    const forced = await OwnedFolder.open(dir, 'a', { force: true });
    await forced.claim(['x.key']);
    await forced.write('x.key', 'ours', 0o644);
    expect(readFileSync(join(dir, 'x.key'), 'utf8')).toBe('ours');
  });

  it('does not replace a file that appeared between the claim and the write', async () => {
    const folder = await OwnedFolder.open(dir, 'a');
    await folder.claim(['late.key']);
    writeFileSync(join(dir, 'late.key'), 'made meanwhile');
    await expect(folder.write('late.key', 'ours', 0o644)).rejects.toThrow(/exists already/);
    expect(readFileSync(join(dir, 'late.key'), 'utf8')).toBe('made meanwhile');
  });

  it('writes many files at once, each whole, replacing its own and never one that appeared since the claim', async () => {
    const first = await OwnedFolder.open(dir, 'a');
    await first.claim(['old.key']);
    await first.write('old.key', 'old', 0o644);
    const folder = await OwnedFolder.open(dir, 'a');
    const names = Array.from({ length: 500 }, (_, i) => `n${i}.key`);
    await folder.claim([...names, 'old.key', 'late.key']);
    await folder.writeAll([...names, 'old.key'].map((name) => ({ name, content: `text of ${name}` })), 0o640);
    for (const name of [...names, 'old.key']) {
      expect(readFileSync(join(dir, name), 'utf8')).toBe(`text of ${name}`);
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o640);
    }
    writeFileSync(join(dir, 'late.key'), 'made meanwhile');
    await expect(folder.writeAll([{ name: 'late.key', content: 'ours' }], 0o644)).rejects.toThrow(/exists already/);
    expect(readFileSync(join(dir, 'late.key'), 'utf8')).toBe('made meanwhile');
    await expect(folder.writeAll([{ name: 'unclaimed.key', content: 'x' }], 0o644)).rejects.toThrow(/not claimed/);
    // No temporary copy is left beside them.
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('treats a damaged manifest as claiming nothing', async () => {
    writeFileSync(join(dir, 'a.key'), 'x');
    writeFileSync(join(dir, OWNED_MANIFEST), '{"format":"curvekeep-owned/1","files":{"a.key":"a","../../etc/passwd":"a"');
    const folder = await OwnedFolder.open(dir, 'a');
    expect(folder.owns('a.key')).toBe(false);
    await expect(folder.claim(['a.key'])).rejects.toBeInstanceOf(NotOwnedError);
    await expect(folder.claim(['../escape.key'])).rejects.toThrow(/cannot be a file name/);
  });

  it('never removes a file outside the folder, whatever its manifest names', async () => {
    const outside = `${dir}-outside.key`;
    writeFileSync(outside, 'keep me');
    try {
      writeFileSync(join(dir, OWNED_MANIFEST), JSON.stringify({ format: 'curvekeep-owned/1', files: { [`../${outside.split('/').pop()}`]: 'a', 'sub/x.key': 'a' } }));
      const folder = await OwnedFolder.open(dir, 'a');
      expect(await folder.removeStale(new Set())).toEqual([]);
      expect(readFileSync(outside, 'utf8')).toBe('keep me');
    } finally {
      rmSync(outside, { force: true });
    }
  });
});
