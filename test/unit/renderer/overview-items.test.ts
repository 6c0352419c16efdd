// The Overview's words and buttons without a DOM: each next action opens the view and place the
// brief names (rotation by identity, peers by peer with `test`, pins by host, devices by batch,
// settings for the store), items group by severity in order, an empty store is found, and a
// kind with thousands of items shows a few and offers the rest in steps.
import { describe, expect, it } from 'vitest';
import { FIRST_OF_KIND, SHOW_MORE, type StatusItem, type StatusReport, destinationOf, detailOf, groupBySeverity, isEmptyStore, moreOf, runsOfKind, titleOf } from '../../../src-renderer/views/overview/overview-items.js';

function item(kind: StatusItem['kind'], severity: StatusItem['severity'], next: StatusItem['next'], subject: StatusItem['subject'] = {}, facts: StatusItem['facts'] = {}): StatusItem {
  return { kind, severity, subject, facts, next };
}

describe('destinationOf', () => {
  it('opens each next action at its place', () => {
    const cases: Array<[StatusItem, string, string[]]> = [
      [item('key-overdue', 'error', { action: 'rotate', identity: 'gw-7' }, { id: 'id_1', name: 'gw-7' }), 'rotation', ['id_1']],
      [item('rotation-in-progress', 'info', { action: 'rotation-step', identity: 'gw-7', step: 'test' }, { id: 'id_1', name: 'gw-7' }), 'rotation', ['id_1']],
      [item('peer-unverified', 'warning', { action: 'verify-peer', peer: 'p' }, { id: 'peer_1', name: 'p' }), 'peers', ['peer_1']],
      [item('peer-test-failed', 'warning', { action: 'test-peer', peer: 'p' }, { id: 'peer_1', name: 'p' }), 'peers', ['peer_1', 'test']],
      [item('pin-set-expired', 'error', { action: 'renew-pin-set', host: 'a.invalid' }), 'pins', ['a.invalid']],
      [item('pin-set-no-backup', 'warning', { action: 'add-backup-pin', host: 'a.invalid' }), 'pins', ['a.invalid']],
      [item('pinned-cert-expiring', 'warning', { action: 'check-pins', host: 'a.invalid', endpoint: 'a.invalid:443' }), 'pins', ['a.invalid']],
      [item('batch-failed-rows', 'warning', { action: 'retry-batch', batch: 'batch_9' }, { id: 'batch_9' }), 'devices', ['batch', 'batch_9']],
      [item('doctor', 'error', { action: 'repair-store' }), 'settings', []],
      [item('doctor', 'warning', { action: 'see-doctor' }), 'settings', []],
    ];
    for (const [it_, view, path] of cases) {
      const d = destinationOf(it_);
      expect(d, it_.kind).not.toBeNull();
      expect(d!.view, it_.kind).toBe(view);
      expect(d!.path, it_.kind).toEqual(path);
      expect(d!.label, it_.kind).not.toMatch(/curvekeep|--/);
    }
    expect(destinationOf(item('rotation-in-progress', 'info', null))).toBeNull();
  });

  it('falls back to the name an action carries when the item has no id', () => {
    expect(destinationOf(item('key-due', 'warning', { action: 'rotate', identity: 'gw-7' }, { name: 'gw-7' }))!.path).toEqual(['gw-7']);
  });
});

describe('words', () => {
  it('titles and details say what is wrong in words, not codes', () => {
    const batch = item('batch-failed-rows', 'warning', { action: 'retry-batch', batch: 'b' }, { id: 'b', csvName: 'fleet.csv', serverName: 'broker' }, { failed: 164, ok: 1, skipped: 0, firstFailedRow: 3, firstReason: 'duplicate name' });
    expect(titleOf(batch)).toBe('164 rows of fleet.csv failed');
    expect(detailOf(batch)).toContain('1 ok, 0 skipped, 164 failed for broker');
    const overdue = item('key-overdue', 'error', null, { name: 'gw-7', role: 'server' }, { daysLeft: -3, dueAt: '2026-01-01T00:00:00Z' });
    expect(detailOf(overdue)).toBe('server key, 3 days overdue (2026-01-01)');
    expect(detailOf(item('peer-test-failed', 'warning', null, { name: 'p' }, { verdict: 'wrong-server-key' }))).toContain('wrong server key');
  });
});

describe('groupBySeverity and isEmptyStore', () => {
  it('groups in the order error, warning, info and leaves empty groups out', () => {
    const groups = groupBySeverity([item('key-due', 'warning', null), item('doctor', 'error', null), item('key-due', 'warning', null)]);
    expect(groups.map((g) => [g.severity, g.items.length])).toEqual([['error', 1], ['warning', 2]]);
  });

  it('finds an empty store, but not an unreadable one', () => {
    const report = (counts: Partial<StatusReport['counts']>, storeRead = true): StatusReport => ({
      now: '', items: [], counts: { keys: 0, peers: 0, devices: 0, batches: 0, pinSets: 0, ...counts }, summary: { error: 0, warning: 0, info: 0 }, storeRead, byKind: {},
    });
    expect(isEmptyStore(report({}))).toBe(true);
    expect(isEmptyStore(report({ keys: 1 }))).toBe(false);
    expect(isEmptyStore(report({}, false))).toBe(false);
  });
});

describe('runsOfKind and moreOf', () => {
  it('keeps each kind together, where it first appears', () => {
    const runs = runsOfKind([item('peer-unverified', 'warning', null), item('key-due', 'warning', null), item('peer-unverified', 'warning', null)]);
    expect(runs.map((r) => [r.kind, r.items.length])).toEqual([['peer-unverified', 2], ['key-due', 1]]);
  });

  it('offers the rest of a long kind SHOW_MORE at a time, counting them in words', () => {
    const first = moreOf('peer-unverified', FIRST_OF_KIND, 10_000);
    expect(first).toEqual({ label: `Show ${SHOW_MORE} more of ${10_000 - FIRST_OF_KIND} unverified peers`, next: FIRST_OF_KIND + SHOW_MORE });
    expect(moreOf('peer-unverified', 9_990, 10_000)).toEqual({ label: 'Show 10 more unverified peers', next: 10_000 });
    expect(moreOf('peer-unverified', 10_000, 10_000)).toBeNull();
    expect(moreOf('key-overdue', FIRST_OF_KIND, FIRST_OF_KIND + 1)!.label).toBe('Show 1 more overdue key');
    expect(moreOf('doctor', 1, 1)).toBeNull();
  });
});
