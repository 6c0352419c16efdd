// cli/start.ts: the command line's first word picks the one module to load; the table must name
// the module that really registers each command, and help or an unknown word goes to main.ts.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src-main/cli/main.js';
import { rootProgram } from '../../../src-main/cli/program.js';
import { REGISTERS, commandNamed } from '../../../src-main/cli/start.js';

describe('the command a command line names', () => {
  it.each([
    [['test', 'tcp://127.0.0.1:9', '--server-key', 'K'], 'test'],
    [['--json', 'keys', 'list'], 'keys'],
    [['--home', 'status', 'keys', 'list'], 'keys'], // "status" is --home's value here
    [['--home=/tmp/x', 'pins', 'compute'], 'pins'],
    [['pins', 'compute', '--help'], 'pins'],
  ])('%j -> %s', (argv, name) => {
    expect(commandNamed(argv)).toBe(name);
  });

  it.each([[[]], [['--help']], [['-h', 'keys']], [['help', 'keys']], [['--version']], [['no-such-command']], [['--', 'keys']]])('%j -> every command (main.ts)', (argv) => {
    expect(commandNamed(argv)).toBeNull();
  });
});

describe('the table of command modules', () => {
  it('registers each command from the module that main.ts registers it from, with the same options', async () => {
    const full = buildProgram();
    for (const [name, load] of Object.entries(REGISTERS)) {
      const program = rootProgram();
      (await load())(program);
      const one = program.commands.find((c) => c.name() === name);
      const expected = full.commands.find((c) => c.name() === name);
      expect(one, name).toBeDefined();
      expect(one!.helpInformation(), name).toBe(expected!.helpInformation());
    }
  });

  it('covers every command main.ts registers (a command added later still works through main.ts, but loads everything)', () => {
    expect(buildProgram().commands.map((c) => c.name()).sort()).toEqual(Object.keys(REGISTERS).sort());
  });
});
