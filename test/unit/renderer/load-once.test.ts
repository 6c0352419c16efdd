// How the views' code is loaded (views/registry.ts over lib/load-once.ts): once per view, and once
// loaded the module itself is given, not a promise, so that the app frame renders the first view
// in the same pass as itself instead of painting "Loading…" first; a failed load is tried again.
import { describe, expect, it } from 'vitest';
import { LoadOnce } from '../../../src-renderer/lib/load-once.js';

const MODULE = { default: 'the view' };

describe('LoadOnce', () => {
  it('loads once, and gives the value itself once it has loaded', async () => {
    const modules = new LoadOnce<typeof MODULE>();
    let calls = 0;
    const load = () => {
      calls += 1;
      return Promise.resolve(MODULE);
    };
    const first = modules.get('keys', load);
    expect(first).toBeInstanceOf(Promise);
    expect(modules.get('keys', load)).toBe(first);
    expect(await first).toBe(MODULE);
    expect(modules.get('keys', load)).toBe(MODULE);
    expect(calls).toBe(1);
  });

  it('keeps keys apart, and loads again after a failure', async () => {
    const modules = new LoadOnce<typeof MODULE>();
    let fail = true;
    const load = () => (fail ? Promise.reject(new Error('chunk missing')) : Promise.resolve(MODULE));
    await expect(modules.get('peers', load)).rejects.toThrow('chunk missing');
    fail = false;
    expect(await modules.get('peers', load)).toBe(MODULE);
    expect(modules.get('devices', load)).toBeInstanceOf(Promise);
  });
});
