// The link history's filter: a search by name or endpoint, and the peers whose last test failed.
import { describe, expect, it } from 'vitest';
import { filterHistory, lastTestFailed, type HistoryRow } from '../../../src-renderer/views/links/history-filter.js';

const peer = (name: string, endpoints: string[], lastVerdict?: string, lastEndpoint?: string): HistoryRow => ({
  name,
  endpoints,
  link: lastVerdict === undefined ? null : { lastVerdict, lastEndpoint: lastEndpoint ?? null },
});

const peers = [
  peer('broker-a', ['tcp://127.0.0.1:5555'], 'ok'),
  peer('broker-b', ['tcp://127.0.0.1:5556'], 'rejected'),
  peer('gateway', ['tcp://gw.invalid:7000'], 'unreachable', 'tcp://gw.invalid:7001'),
  peer('never', ['tcp://127.0.0.1:5557']),
];
// A peer whose link record has no verdict yet (a test under way when the store was read).
const pending: HistoryRow = { name: 'pending', endpoints: ['tcp://127.0.0.1:5558'], link: { lastVerdict: null, lastEndpoint: null } };
const names = (rows: ReadonlyArray<HistoryRow>) => rows.map((p) => p.name);

describe('filterHistory', () => {
  it('lets every row through, in order, when nothing is asked', () => {
    expect(filterHistory(peers, { query: '', failedOnly: false })).toBe(peers);
    expect(filterHistory(peers, { query: '   ', failedOnly: false })).toBe(peers);
  });

  it('finds peers by name or endpoint, ignoring case, including the endpoint last tested', () => {
    expect(names(filterHistory(peers, { query: 'BROKER', failedOnly: false }))).toEqual(['broker-a', 'broker-b']);
    expect(names(filterHistory(peers, { query: ':5557', failedOnly: false }))).toEqual(['never']);
    expect(names(filterHistory(peers, { query: 'gw.invalid:7001', failedOnly: false }))).toEqual(['gateway']);
    expect(filterHistory(peers, { query: 'nothing-like-it', failedOnly: false })).toEqual([]);
  });

  it('keeps only the peers whose last test failed, and combines that with the search', () => {
    expect(names(filterHistory(peers, { query: '', failedOnly: true }))).toEqual(['broker-b', 'gateway']);
    expect(names(filterHistory(peers, { query: 'broker', failedOnly: true }))).toEqual(['broker-b']);
  });
});

describe('lastTestFailed', () => {
  it('is false for ok and for a peer never tested', () => {
    expect(peers.map(lastTestFailed)).toEqual([false, true, true, false]);
    expect(lastTestFailed(pending)).toBe(false);
  });
});
