// The Devices list's paging without a DOM: the first page gives the total, a row outside it is a
// placeholder until its page (asked once) arrives, and a new filter starts over, dropping answers
// that were still on the way for the old one.
import { describe, expect, it } from 'vitest';
import { type DeviceFilter, DevicePages, listArgs } from '../../../src-renderer/views/devices/device-pages.svelte.js';

const ALL: DeviceFilter = { text: '', server: '', batch: '', tag: '', state: 'active' };
const flush = () => new Promise((r) => setTimeout(r, 0));

function fleet(count: number) {
  const asked: Array<{ filter: DeviceFilter; offset: number; limit: number }> = [];
  const fetch = async (filter: Readonly<DeviceFilter>, offset: number, limit: number) => {
    asked.push({ filter: { ...filter }, offset, limit });
    const total = filter.tag ? Math.floor(count / 2) : count;
    const devices = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({ name: `${filter.tag || 'd'}-${offset + i}` }));
    return { total, offset, devices };
  };
  return { asked, pages: new DevicePages(fetch, 10) };
}

describe('DevicePages', () => {
  it('knows the total from the first page and fetches other pages when reached, once each', async () => {
    const { asked, pages } = fleet(95);
    await pages.reset(ALL);
    expect(pages.total).toBe(95);
    expect(pages.indices.length).toBe(95);
    expect(pages.rowAt(3)).toEqual({ name: 'd-3' });
    expect(pages.rowAt(94)).toBeNull();
    expect(pages.rowAt(91)).toBeNull();
    await flush();
    await flush();
    expect(pages.rowAt(94)).toEqual({ name: 'd-94' });
    expect(asked.map((a) => a.offset)).toEqual([0, 90]);
  });

  it('starts over on a new filter', async () => {
    const { asked, pages } = fleet(40);
    await pages.reset(ALL);
    await pages.reset({ ...ALL, tag: 'plant-3' });
    expect(pages.total).toBe(20);
    expect(pages.rowAt(0)).toEqual({ name: 'plant-3-0' });
    expect(asked.at(-1)!.filter.tag).toBe('plant-3');
  });
});

describe('listArgs', () => {
  it('leaves empty filters out and trims the typed ones', () => {
    expect(listArgs(ALL, 0, 200)).toEqual({ offset: 0, limit: 200 });
    expect(listArgs({ text: ' valve ', server: 'id_1', batch: 'b', tag: ' t ', state: 'all' }, 200, 200)).toEqual({ text: 'valve', server: 'id_1', batch: 'b', tag: 't', includeRemoved: true, offset: 200, limit: 200 });
    expect(listArgs({ ...ALL, state: 'removed' }, 0, 10)).toEqual({ state: 'removed', offset: 0, limit: 10 });
  });
});
