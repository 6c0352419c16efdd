// The Provisioning flow's outcome and ordering: a run with failed rows is never shown as a success,
// failed rows come first, and the template names the columns provisioning reads.
import { describe, expect, it } from 'vitest';
import { readDeviceRows } from '../../../src-main/core/provisioning/device-csv.js';
import { CHOICES_SHOWN as SERVER_CHOICES } from '../../../src-renderer/lib/choice-window.js';
import { type ServerChoice, TEMPLATE_CSV, failedFirst, outcomeOf, serverOptions, templateHref } from '../../../src-renderer/views/provisioning/provisioning-flow.js';

describe('outcomeOf', () => {
  it('calls "1 ok, 164 failed" a failure, not a success', () => {
    const o = outcomeOf({ ok: 1, skipped: 0, failed: 164 });
    expect(o.tone).toBe('danger');
    expect(o.text).toContain('1 ok, 0 skipped, 164 failed');
  });
  it('is ok only without a failed row, and a warning when cancelled', () => {
    expect(outcomeOf({ ok: 3, skipped: 2, failed: 0 }).tone).toBe('ok');
    expect(outcomeOf({ ok: 0, skipped: 0, failed: 2 }).tone).toBe('danger');
    expect(outcomeOf({ ok: 3, skipped: 0, failed: 0 }, 'cancelled').tone).toBe('warn');
    expect(outcomeOf({ ok: 3, skipped: 0, failed: 0 }, 'failed').tone).toBe('danger');
  });
});

describe('failedFirst', () => {
  it('puts failed rows first, each group in file order', () => {
    const rows = [{ row: 2, s: 'ok' }, { row: 3, s: 'failed' }, { row: 4, s: 'ok' }, { row: 5, s: 'failed' }];
    expect(failedFirst(rows, (r) => r.s === 'failed').map((r) => r.row)).toEqual([3, 5, 2, 4]);
  });
});

describe('the template', () => {
  it('is a CSV provisioning reads as it is, with example rows', () => {
    const rows = readDeviceRows(TEMPLATE_CSV, 'devices-template.csv');
    expect(rows.map((r) => r.name)).toEqual(['valve-001', 'valve-002']);
    expect(decodeURIComponent(templateHref().replace(/^data:text\/csv;charset=utf-8,/, ''))).toBe(TEMPLATE_CSV);
  });

  it('a file without a name column is refused with the columns it has and the user file name, no path', () => {
    expect(() => readDeviceRows('device,site\nx,y\n', 'fleet.csv')).toThrow('the file fleet.csv has no "name" column: its columns are device, site; expected name, endpoint, tags, public_key');
  });
});

describe('serverOptions', () => {
  const own: ServerChoice[] = [{ id: 'id_1', name: 'plant-broker', kind: 'identity', endpoint: 'tcp://127.0.0.1:5555' }];
  const peers: ServerChoice[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `peer_${i}`, name: `broker-${String(i).padStart(5, '0')}`, kind: 'peer', endpoint: `tcp://127.0.0.1:${6000 + (i % 1000)}` }));
  const servers = [...own, ...peers];

  it('offers at most SERVER_CHOICES of each kind, and says how many match', () => {
    const o = serverOptions(servers, '', '');
    expect(o.own.map((s) => s.name)).toEqual(['plant-broker']);
    expect(o.peers).toHaveLength(SERVER_CHOICES);
    expect(o.peers[0]!.name).toBe('broker-00000');
    expect(o.matching).toEqual({ own: 1, peers: 10_000 });
    expect(o.note).toBe(`The list shows the first ${SERVER_CHOICES} of 10000 peers: type more of a name to narrow it.`);
  });

  it('finds servers by name or endpoint, ignoring case and spaces around the search', () => {
    expect(serverOptions(servers, ' BROKER-0427 ', '').peers.map((s) => s.name)).toEqual(Array.from({ length: 10 }, (_, i) => `broker-0427${i}`));
    const byEndpoint = serverOptions(servers, '127.0.0.1:6999', '');
    expect(byEndpoint.matching.peers).toBe(10);
    expect(byEndpoint.peers.every((s) => s.endpoint === 'tcp://127.0.0.1:6999')).toBe(true);
    expect(serverOptions(servers, 'plant', '').own).toHaveLength(1);
    expect(serverOptions(servers, 'nothing-like-it', '')).toMatchObject({ own: [], peers: [], matching: { own: 0, peers: 0 }, note: 'No server matches “nothing-like-it”.' });
  });

  it('keeps the chosen server among the options whatever the search', () => {
    const o = serverOptions(servers, 'broker-0001', 'peer_9876');
    expect(o.peers[0]!.id).toBe('peer_9876');
    expect(o.peers).toHaveLength(11);
    expect(o.matching.peers).toBe(10);
    expect(serverOptions(servers, '', 'peer_9876').peers).toHaveLength(SERVER_CHOICES + 1);
    expect(serverOptions(servers, 'broker', 'id_1').own.map((s) => s.id)).toEqual(['id_1']);
  });
});
