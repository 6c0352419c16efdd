// The human table of list commands (`devices list`, `audit list`, `peers list`...) at fleet size:
// its column widths were one Math.max call over every row, which overflowed the stack past about
// 125,000 rows.
import { describe, expect, it } from 'vitest';
import { table } from '../../../src-main/cli/runner.js';

describe('table', () => {
  it('aligns the columns of 200,000 rows', () => {
    const rows = [['NAME', 'STATE'], ...Array.from({ length: 200_000 }, (_, i) => [`device-${i}`, i % 2 ? 'active' : 'removed'])];
    const lines = table(rows).split('\n');
    expect(lines).toHaveLength(200_001);
    // The widest name is device-199999 (13 characters): every second column starts after it and two spaces.
    expect(lines[0]).toBe(`${'NAME'.padEnd(13)}  STATE`);
    expect(lines[200_000]).toBe('device-199999  active');
    expect(lines[1]).toBe(`${'device-0'.padEnd(13)}  removed`);
  });
});
