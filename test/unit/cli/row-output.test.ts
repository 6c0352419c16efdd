// How a command's RowList reaches stdout with --json: a batch of rows at a time, the same bytes as
// one JSON.stringify, and nothing that looks like a whole document when a row fails midway.
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RowList } from '../../../src-main/core/row-list.js';
import { action } from '../../../src-main/cli/runner.js';

let stdout: string[];
let stderr: string[];
let tty: PropertyDescriptor | undefined;

beforeEach(() => {
  stdout = [];
  stderr = [];
  tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0);
});

afterEach(() => {
  vi.restoreAllMocks();
  if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
  else delete (process.stdout as { isTTY?: boolean }).isTTY;
  process.exitCode = undefined;
});

async function print(rows: RowList<unknown>): Promise<void> {
  const program = new Command('curvekeep').option('--json').exitOverride();
  program.command('rows').action(action(async () => ({ json: rows, text: '' }), { readsStore: false }));
  await program.parseAsync(['node', 'curvekeep', '--json', 'rows']);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('a RowList printed with --json', () => {
  it.each([0, 1, 100, 101, 250])('of %i rows is the JSON of the array, written in batches of at most 100', async (count) => {
    const made: number[] = [];
    const rows = RowList.of(range(count), (i) => {
      made.push(i);
      return { i, name: i === 7 ? 'capteur-été "7"' : `row-${i}` };
    });
    await print(rows);
    expect(stdout.join('')).toBe(`${JSON.stringify(range(count).map((i) => ({ i, name: i === 7 ? 'capteur-été "7"' : `row-${i}` })))}\n`);
    expect(process.exitCode).toBe(0);
    expect(made).toEqual(range(count)); // each row made once, in order
    expect(stdout.length).toBe(Math.floor(count / 100) + 1);
  });

  it('that fails midway stops there: no closing bracket, no error document after the rows', async () => {
    await print(RowList.of(range(250), (i) => {
      if (i === 150) throw new Error('row 150 cannot be made');
      return { i };
    }));
    const out = stdout.join('');
    expect(out.startsWith('[{"i":0},')).toBe(true);
    expect(out).toContain('{"i":99}');
    expect(out).not.toContain('{"i":100}');
    expect(out).not.toMatch(/\]\s*$/);
    expect(out).not.toContain('"ok":false');
    expect(() => JSON.parse(out)).toThrow();
    expect(process.exitCode).toBe(3);
    expect(stderr.join('')).toContain('internal error: row 150 cannot be made');
  });

  it('a failure before any row is out is still one JSON error document', async () => {
    await print(RowList.of(range(5), () => {
      throw new Error('no row at all');
    }));
    expect(JSON.parse(stdout.join(''))).toEqual({ ok: false, error: { code: 'internal', message: 'no row at all' } });
  });
});
