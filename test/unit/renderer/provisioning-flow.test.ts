// The Provisioning flow's outcome and ordering: a run with failed rows is never shown as a success,
// failed rows come first, and the template names the columns provisioning reads.
import { describe, expect, it } from 'vitest';
import { readDeviceRows } from '../../../src-main/core/provisioning/device-csv.js';
import { TEMPLATE_CSV, failedFirst, outcomeOf, templateHref } from '../../../src-renderer/views/provisioning/provisioning-flow.js';

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
