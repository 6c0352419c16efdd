// The command line's compile cache (src-main/cli/compile-cache.ts), run through the real command:
// the first run writes entries for the files it compiled, the next reads them and writes nothing,
// a damaged entry is refused and written anew, a folder others may write to is never used, and
// `off` writes nothing. The output is the same with or without it. On a Node with its own
// compile cache (22.1+), that one is used, in the same folder.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

const OWN = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache !== 'function';

let t: TestWorkspace;
const made: string[] = [];

function cacheFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'curvekeep-compile-cache-'));
  made.push(dir);
  return dir;
}

/** Every file under `dir`, relative, with its modification time. */
function entries(dir: string): Map<string, number> {
  const found = new Map<string, number>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else found.set(relative(dir, path), stat.mtimeMs);
    }
  };
  walk(dir);
  return found;
}

beforeAll(async () => {
  t = testWorkspace('compile-cache');
  const made = await runCli(['keys', 'generate', '--name', 'laptop', '--role', 'client'], t.env);
  expect(made.code, made.stderr).toBe(0);
});
afterAll(async () => {
  for (const dir of made) {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
  await t.cleanup();
});

describe('the compile cache', () => {
  it('is written by the first run and read by the next, which writes nothing; the output is the same as without it', async () => {
    const dir = cacheFolder();
    const env = { ...t.env, CURVEKEEP_COMPILE_CACHE: dir };
    const first = await runCli(['--json', 'keys', 'list'], env);
    expect(first.code, first.stderr).toBe(0);
    const written = entries(dir);
    expect(written.size).toBeGreaterThan(3);
    if (OWN) {
      // One entry per file of the command line that ran: its two first files and chunks.
      const names = [...written.keys()];
      expect(names.some((n) => /[\\/]start\.cjs-\d+-\d+$/.test(n))).toBe(true);
      expect(names.some((n) => /[\\/]chunk-[A-Z0-9]+\.cjs-\d+-\d+$/.test(n))).toBe(true);
      expect(statSync(join(dir, names[0]!.split(/[\\/]/)[0]!)).mode & 0o777).toBe(0o700);
    }
    const second = await runCli(['--json', 'keys', 'list'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(entries(dir)).toEqual(written);
    const without = await runCli(['--json', 'keys', 'list'], { ...t.env, CURVEKEEP_COMPILE_CACHE: 'off' });
    expect(without.stdout).toBe(first.stdout);
  });

  it.skipIf(!OWN)('refuses a damaged entry (V8 checks it), runs the command all the same and writes the entry anew', async () => {
    const dir = cacheFolder();
    const env = { ...t.env, CURVEKEEP_COMPILE_CACHE: dir };
    const first = await runCli(['--json', 'keys', 'list'], env);
    expect(first.code, first.stderr).toBe(0);
    const garbage = Buffer.alloc(4096, 0x5a);
    for (const name of entries(dir).keys()) writeFileSync(join(dir, name), garbage);
    const again = await runCli(['--json', 'keys', 'list'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    for (const name of entries(dir).keys()) expect(readFileSync(join(dir, name)).equals(garbage), name).toBe(false);
  });

  it.skipIf(!OWN)('removes the entry of an older build of a file when it writes the new one', async () => {
    const dir = cacheFolder();
    const env = { ...t.env, CURVEKEEP_COMPILE_CACHE: dir };
    expect((await runCli(['--json', 'keys', 'list'], env)).code).toBe(0);
    const start = [...entries(dir).keys()].find((n) => /[\\/]start\.cjs-\d+-\d+$/.test(n))!;
    const older = join(dirname(join(dir, start)), 'start.cjs-1-1');
    // The current entry goes too, so that this run compiles start.cjs afresh and writes it.
    renameSync(join(dir, start), older);
    expect((await runCli(['--json', 'keys', 'list'], env)).code).toBe(0);
    expect(existsSync(older)).toBe(false);
    expect(existsSync(join(dir, start))).toBe(true);
  });

  it('never uses a folder that others may write to', async () => {
    const dir = cacheFolder();
    chmodSync(dir, 0o777);
    const run = await runCli(['--json', 'keys', 'list'], { ...t.env, CURVEKEEP_COMPILE_CACHE: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(entries(dir).size).toBe(0);
  });

  it.skipIf(!OWN)("resolves a built file's relative require of another by its path alone, and only inside its own folders", () => {
    // In a process of its own: the hook changes Node's module loader for good.
    const root = cacheFolder();
    const script = `
      const Module = require('node:module');
      const { join } = require('node:path');
      const { installOwnCompileCache } = require(${JSON.stringify(join(import.meta.dirname, '..', '..', '..', 'dist', 'main', 'cli', 'compile-cache.cjs'))});
      const root = ${JSON.stringify(root)};
      installOwnCompileCache(join(root, 'cache'), [join(root, 'own') + '/']);
      const parent = { filename: join(root, 'own', 'cli', 'start.cjs') };
      const outcome = (request) => { try { return Module._resolveFilename(request, parent, false); } catch (e) { return e.code; } };
      const outside = { filename: join(root, 'elsewhere', 'start.cjs') };
      console.log(JSON.stringify({
        chunk: outcome('../cli-chunks/chunk-A.cjs'),
        escaping: outcome('../../elsewhere/x.cjs'),
        notCjs: outcome('./x.js'),
        fromOutside: (() => { try { return Module._resolveFilename('./y.cjs', outside, false); } catch (e) { return e.code; } })(),
      }));`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    // None of these files exists: only the shortcut answers with a path, without looking.
    expect(JSON.parse(result.stdout)).toEqual({
      chunk: join(root, 'own', 'cli-chunks', 'chunk-A.cjs'),
      escaping: 'MODULE_NOT_FOUND',
      notCjs: 'MODULE_NOT_FOUND',
      fromOutside: 'MODULE_NOT_FOUND',
    });
  });

  it('writes nothing when it is off', async () => {
    const home = cacheFolder();
    const run = await runCli(['--json', 'keys', 'list'], { ...t.env, HOME: home, XDG_CACHE_HOME: '', CURVEKEEP_COMPILE_CACHE: 'off' });
    expect(run.code, run.stderr).toBe(0);
    expect(entries(home).size).toBe(0);
    // And with it on, the same HOME gets the cache in its cache folder.
    const on = await runCli(['--json', 'keys', 'list'], { ...t.env, HOME: home, XDG_CACHE_HOME: '', CURVEKEEP_COMPILE_CACHE: '' });
    expect(on.code, on.stderr).toBe(0);
    expect([...entries(home).keys()].every((n) => n.startsWith(join('.cache', 'curvekeep', 'compile-cache')))).toBe(true);
    expect(entries(home).size).toBeGreaterThan(3);
  });
});
