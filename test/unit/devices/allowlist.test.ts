import { describe, expect, it } from 'vitest';
import { allowlistEntries, filterDevices } from '../../../src-main/core/devices/devices.js';
import { resolveAllowlist } from '../../../src-main/core/link/link-refs.js';
import { type Device, emptyDocument } from '../../../src-main/core/store/document.js';

const key = (c: string) => c.repeat(40);
const at = '2026-01-01T00:00:00.000Z';
const device = (name: string, server: string, extra: Partial<Device> = {}): Device => ({ id: `dev_${name}_${server}`, name, publicKey: key(name[0]!), server, batch: 'b1', bundleDir: null, tags: ['t'], state: 'active', createdAt: at, keptSecret: false, ...extra });

function doc() {
  const d = emptyDocument();
  d.peers.push(
    { id: 'peer_1', name: 'partner', publicKey: key('p'), endpoints: [], tags: [], allowed: true, createdAt: at, verification: { state: 'unverified' } },
    { id: 'peer_2', name: 'stranger', publicKey: key('s'), endpoints: [], tags: [], allowed: false, createdAt: at, verification: { state: 'unverified' } },
  );
  d.devices.push(device('a', 'id_gw'), device('b', 'id_gw', { previousPublicKey: key('o') }), device('c', 'id_gw', { state: 'removed' }), device('d', 'id_other'));
  return d;
}

describe("a server's allowlist", () => {
  it('is its active devices (and keys still in a reissue) plus the allowed peers', () => {
    expect(allowlistEntries(doc(), 'id_gw').map((e) => e.name)).toEqual(['partner', 'a', 'b', 'b.previous']);
    expect(allowlistEntries(doc(), null).map((e) => e.name)).toEqual(['partner', 'a', 'b', 'b.previous', 'd']);
  });

  it('is what serve --allow peers admits when it serves as that server', () => {
    const list = resolveAllowlist(doc(), [], 'id_gw');
    expect((list.allow as ReadonlyArray<{ name: string }>).map((k) => k.name)).toEqual(['partner', 'a', 'b', 'b.previous']);
    expect(list.description).toBe('1 allowed peer and 3 device keys');
    expect((resolveAllowlist(doc(), []).allow as ReadonlyArray<unknown>).length).toBe(1);
  });

  it('filters devices by server, batch, tag and text', () => {
    const d = doc().devices;
    expect(filterDevices(d, { server: 'id_gw' }).map((x) => x.name)).toEqual(['a', 'b']);
    expect(filterDevices(d, { server: 'id_gw', includeRemoved: true }).map((x) => x.name)).toEqual(['a', 'b', 'c']);
    expect(filterDevices(d, { text: 'DEV_D' }).map((x) => x.name)).toEqual(['d']);
    expect(filterDevices(d, { text: key('a').slice(0, 8) }).map((x) => x.name)).toEqual(['a']);
    expect(filterDevices(d, { tag: 'x' })).toEqual([]);
    expect(filterDevices(d, { batch: 'b2' })).toEqual([]);
  });
});
