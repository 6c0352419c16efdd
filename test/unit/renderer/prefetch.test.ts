// A first page asked for as the page boots is used once, and only while fresh.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { prefetch } from '../../../src-renderer/lib/prefetch.js';

afterEach(() => vi.useRealTimers());

describe('prefetch', () => {
  it('hands the early answer over once; then the view asks itself', async () => {
    const first = prefetch<number>();
    expect(first.take()).toBeNull();
    const call = vi.fn(() => Promise.resolve(7));
    first.start(call);
    expect(call).toHaveBeenCalledTimes(1);
    await expect(first.take()).resolves.toBe(7);
    expect(first.take()).toBeNull();
  });

  it('drops an answer asked for more than 10 s before the view took it', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const first = prefetch<number>();
    first.start(() => Promise.resolve(1));
    vi.advanceTimersByTime(10_001);
    expect(first.take()).toBeNull();
  });

  it('leaves a failed early call to the view that takes it, never unhandled', async () => {
    const first = prefetch<number>();
    const settled = first.start(() => Promise.reject(new Error('bridge down')));
    await expect(settled).resolves.toBeUndefined();
    await expect(first.take()).rejects.toThrow('bridge down');
  });

  it('tells when the answer is in (the page mounts then), without taking it', async () => {
    const first = prefetch<number>();
    let answer: (value: number) => void = () => undefined;
    let settled = false;
    void first.start(() => new Promise<number>((resolve) => (answer = resolve))).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    answer(3);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(settled).toBe(true);
    await expect(first.take()).resolves.toBe(3);
  });
});
