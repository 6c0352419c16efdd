// The rotation queue ("Rotate all overdue"): held in the page, the URL naming only the key the
// wizard is on. The views over a large fleet are covered by test/e2e/rotation-queue-scale.test.ts.
import { describe, expect, it } from 'vitest';
import { RotationQueue } from '../../../src-renderer/lib/rotation-queue.svelte.js';

describe('RotationQueue', () => {
  it('says what follows each key', () => {
    const queue = new RotationQueue();
    queue.start(['a', 'b', 'c']);
    expect(queue.ids).toEqual(['a', 'b', 'c']);
    expect(queue.after('a')).toEqual(['b', 'c']);
    expect(queue.after('b')).toEqual(['c']);
    expect(queue.after('c')).toEqual([]);
    expect(queue.after('not-queued')).toEqual([]);
  });

  it('takes 300,000 keys', () => {
    const ids = Array.from({ length: 300_000 }, (_, i) => `id_device${String(i).padStart(6, '0')}`);
    const queue = new RotationQueue();
    queue.start(ids);
    expect(queue.after('id_device000000')).toHaveLength(299_999);
    expect(queue.after('id_device299998')).toEqual(['id_device299999']);
  });

  it('a new queue replaces the old one; clear ends it', () => {
    const queue = new RotationQueue();
    queue.start(['a', 'b']);
    queue.start(['x', 'y']);
    expect(queue.after('a')).toEqual([]);
    expect(queue.after('x')).toEqual(['y']);
    queue.clear();
    expect(queue.ids).toEqual([]);
    expect(queue.after('x')).toEqual([]);
  });
});
