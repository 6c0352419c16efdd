// The renderer's list logic without a DOM: the windowed list's row range, the Keys badges and
// search, the Peers filter and code grouping, the Audit filter and verdict sentence.
import { describe, expect, it } from 'vitest';
import { scrollToReveal, visibleRows } from '../../../src-renderer/lib/virtual-window.js';
import { type AuditEntry, auditRows, describeVerdict, filterAuditRows } from '../../../src-renderer/views/audit/audit-entries.js';
import { type Identity, buildSearchIndex, filterIdentities, keyBadges, rowOf } from '../../../src-renderer/views/keys/key-list.js';
import { type Peer, NO_FILTERS, groupDigits, holdersInWords, listArgs, peerBadges, rowOf as peerRowOf } from '../../../src-renderer/views/peers/peer-list.js';

const KEY_A = 'Q1HAcTIqS]15yPNb77BrV-o#RCKf4K(y@-4I%4t^';
const KEY_B = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';

function identity(name: string, extra: Partial<Identity> = {}): Identity {
  return {
    id: `id_${name}`, name, role: 'client', tags: [], endpoints: [], createdAt: '2026-01-01T00:00:00.000Z', publicKey: KEY_A,
    safetyCode: '00000 00000 00000 00000 00000 00000', state: 'current', generation: 1, ageDays: 3, rotateEveryDays: 90,
    dueAt: '2026-04-01T00:00:00.000Z', due: 'ok', pending: null, generations: [], ...extra,
  };
}

describe('visibleRows', () => {
  it('puts only the rows in view plus the overscan in the DOM, whatever the list length', () => {
    const w = visibleRows({ scrollTop: 56 * 5000, viewportHeight: 560, rowHeight: 56, count: 10_000, overscan: 6 });
    expect(w).toEqual({ start: 4994, end: 5016, offset: 4994 * 56, totalHeight: 560_000 });
  });

  it('clamps at both ends and for short lists', () => {
    expect(visibleRows({ scrollTop: 0, viewportHeight: 560, rowHeight: 56, count: 3 })).toEqual({ start: 0, end: 3, offset: 0, totalHeight: 168 });
    expect(visibleRows({ scrollTop: 1e9, viewportHeight: 560, rowHeight: 56, count: 100, overscan: 2 }).end).toBe(100);
    expect(visibleRows({ scrollTop: 0, viewportHeight: 0, rowHeight: 56, count: 0 })).toEqual({ start: 0, end: 0, offset: 0, totalHeight: 0 });
  });

  it('scrolls a row into view only when it is out of view', () => {
    expect(scrollToReveal(3, 0, 560, 56)).toBeNull();
    expect(scrollToReveal(20, 0, 560, 56)).toBe(21 * 56 - 560);
    expect(scrollToReveal(2, 560, 560, 56)).toBe(112);
  });
});

describe('Keys list', () => {
  it('badges current, pending rotation, due soon and overdue', () => {
    expect(keyBadges(identity('a'))).toEqual([{ label: 'current', tone: 'ok' }]);
    expect(keyBadges(identity('b', { due: 'due-soon' })).map((b) => b.label)).toEqual(['current', 'due soon']);
    expect(keyBadges(identity('c', { due: 'overdue' })).map((b) => b.label)).toEqual(['current', 'overdue']);
    const pending = { generation: 2, state: 'pending' as const, publicKey: KEY_B, safetyCode: '', createdAt: '', promotedAt: null, graceUntil: null, lastTest: null };
    expect(keyBadges(identity('d', { pending, due: 'overdue' })).map((b) => b.label)).toEqual(['pending rotation', 'overdue']);
    // A lean row (keys.rows) says the same as the full identity it comes from.
    expect(keyBadges(rowOf(identity('d', { pending, due: 'overdue' }))).map((b) => b.label)).toEqual(['pending rotation', 'overdue']);
    expect(rowOf(identity('e', { pending }))).not.toHaveProperty('generations');
  });

  it('matches every typed word against name, tags and keys, case-insensitively', () => {
    const index = buildSearchIndex([rowOf(identity('gateway-07', { tags: ['plant-3'] })), rowOf(identity('sensor-0042', { tags: ['field'], publicKey: KEY_B }))]);
    expect(filterIdentities(index, '').length).toBe(2);
    expect(filterIdentities(index, 'PLANT').map((i) => i.name)).toEqual(['gateway-07']);
    expect(filterIdentities(index, 'sensor field').map((i) => i.name)).toEqual(['sensor-0042']);
    expect(filterIdentities(index, 'sensor plant')).toEqual([]);
    expect(filterIdentities(index, KEY_B.slice(2, 12)).map((i) => i.name)).toEqual(['sensor-0042']);
  });
});

describe('Peers list', () => {
  const peer = (name: string, extra: Partial<Peer> = {}): Peer => ({
    id: `peer_${name}`, name, publicKey: KEY_A, safetyCode: '12345 67890 12345 67890 12345 67890', endpoints: [], tags: [], allowed: false,
    createdAt: '2026-01-01T00:00:00.000Z', source: null, verification: { state: 'unverified', at: null, by: null }, link: null, sameKeyAs: [], ...extra,
  });

  it('turns the filters into peers.list arguments, leaving out what is not set', () => {
    expect(listArgs(NO_FILTERS)).toEqual({});
    expect(listArgs({ text: ' plc ', tag: 'plant-3', allowed: 'no', verification: 'unverified', verdict: 'failing' }, { offset: 200, limit: 100 })).toEqual({
      text: 'plc', tag: 'plant-3', allowed: false, verification: 'unverified', verdict: 'failing', offset: 200, limit: 100,
    });
  });

  it('groups typed digits in fives and badges a mismatch and a shared key as danger', () => {
    expect(groupDigits('123456789012-34 5')).toBe('12345 67890 12345');
    expect(peerBadges(peerRowOf(peer('x', { verification: { state: 'mismatch', at: null, by: null } })))).toContainEqual({ label: 'code mismatch', tone: 'danger' });
    const twin = peer('y', { sameKeyAs: [{ kind: 'peer', id: 'peer_z', name: 'z' }, { kind: 'identity', id: 'id_l', name: 'laptop' }] });
    expect(peerBadges(peerRowOf(twin))[0]).toEqual({ label: 'same key as another', tone: 'danger' });
    expect(peerBadges(peerRowOf(peer('w'))).map((b) => b.label)).toEqual(['not allowed', 'unverified']);
    expect(holdersInWords(twin.sameKeyAs)).toBe('peer z and your identity laptop');
  });
});

describe('Audit list', () => {
  const entries: AuditEntry[] = [
    { seq: 2, at: '2026-01-02T00:00:00.000Z', action: 'peer.added', subject: 'sensor-0042', details: { allowed: false } },
    { seq: 1, at: '2026-01-01T00:00:00.000Z', action: 'identity.generated', subject: 'gateway-07', details: { role: 'server' } },
  ];

  it('filters over action, subject and details', () => {
    const rows = auditRows(entries);
    expect(filterAuditRows(rows, 'role=server').map((r) => r.entry.seq)).toEqual([1]);
    expect(filterAuditRows(rows, 'PEER sensor').map((r) => r.entry.seq)).toEqual([2]);
  });

  it('names the first broken entry and why', () => {
    expect(describeVerdict({ ok: true, entries: 2, broken: null })).toMatch(/intact: 2 entries/);
    expect(describeVerdict({ ok: false, entries: 2, broken: { position: 2, seq: 2, reason: 'it was edited' } })).toBe('The log is broken at position 2 (entry #2): it was edited.');
  });
});

