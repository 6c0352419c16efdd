// CSV cells safe in spreadsheets (issue 10, finding 7): a cell a spreadsheet would run as a
// formula is written as OWASP recommends, and Curvekeep's own CSV readers take it back exactly.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvText, readCsvCell } from '../../../src-main/core/formats/csv-cell.js';

const DANGEROUS = ['=cmd|\' /C calc\'!A0', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x.invalid","a")'];

describe('csvText', () => {
  it('prefixes a single quote and quotes every cell that starts with = + - @ tab or CR', () => {
    const text = csvText(['name', 'note'], DANGEROUS.map((d) => [d, 'plain']));
    const cells = parse(text, { relax_quotes: false }) as string[][];
    for (const [cell] of cells.slice(1)) expect(cell).toMatch(/^'[=+\-@\t\r]/);
    // Every line's cells are wrapped in double quotes, embedded quotes doubled.
    expect(text.split('\r\n')[1] ?? text.split('\n')[1]).toMatch(/^"'=cmd\|' \/C calc'!A0","plain"$/);
  });

  it('leaves ordinary cells as they are, and writes numbers as text', () => {
    const cells = parse(csvText(['a', 'b', 'c'], [['valve-1', 7, '']]), {}) as string[][];
    expect(cells[1]).toEqual(['valve-1', '7', '']);
  });

  it('reads back through a CSV parser cell for cell, quotes, commas and line breaks included', () => {
    const rows = [['a "quoted" word', 'x,y', 'two\nlines'], ['', 'cr\r\nlf', '"'], [12, "it's", 'é;ü']];
    const cells = parse(csvText(['p', 'q', 'r'], rows), {}) as string[][];
    expect(cells).toEqual([['p', 'q', 'r'], ...rows.map((row) => row.map(String))]);
  });
});

describe('readCsvCell', () => {
  it('reads back exactly what csvText wrote', () => {
    const text = csvText(['v'], DANGEROUS.map((d) => [d]));
    const back = (parse(text, {}) as string[][]).slice(1).map(([c]) => readCsvCell(c!));
    expect(back).toEqual(DANGEROUS);
  });

  it('keeps a raw formula-looking cell (a user\'s own CSV) and a quote not before a formula character', () => {
    expect(readCsvCell('=abc')).toBe('=abc');
    expect(readCsvCell("'hello")).toBe("'hello");
    expect(readCsvCell("'")).toBe("'");
  });
});
