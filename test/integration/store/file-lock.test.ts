// Issue 10, finding 4: a lock that heals. Empty, garbage and dead-owner locks are taken over, a
// live pid with another start time (a reused pid) too, and two processes taking one stale lock at
// once never both get it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreBusyError } from '../../../src-main/core/errors.js';
import { withFileLock } from '../../../src-main/core/store/file-lock.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function takes(lock: string): Promise<boolean> {
  return withFileLock(lock, async () => existsSync(lock), { waitMs: 3_000 });
}

describe('the data folder lock', () => {
  it('takes over an empty lock file (what a full disk leaves)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-lock-'));
    const lock = join(dir, 'curvekeep.lock');
    writeFileSync(lock, '');
    expect(await takes(lock)).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a garbage lock file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-lock-'));
    const lock = join(dir, 'curvekeep.lock');
    writeFileSync(lock, '\u0000\u0001garbage{');
    expect(await takes(lock)).toBe(true);
  });

  it('takes over the lock of a dead process (old and new format)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-lock-'));
    const lock = join(dir, 'curvekeep.lock');
    const pid = deadPid();
    writeFileSync(lock, `${pid} ${Date.now()}`);
    expect(await takes(lock)).toBe(true);
    writeFileSync(lock, JSON.stringify({ pid, start: '12345', token: 'x' }));
    expect(await takes(lock)).toBe(true);
  });

  it('takes over a lock whose pid is alive but was started at another time (a reused pid); waits for the real owner', async () => {
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-lock-'));
    const lock = join(dir, 'curvekeep.lock');
    const sleeper = spawn('sleep', ['60']);
    try {
      const stat = readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8');
      const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
      writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, start: String(Number(start) + 1), token: 'x' }));
      expect(await takes(lock)).toBe(true);
      // The same pid with its real start time is a live owner: not taken.
      writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, start, token: 'x' }));
      await expect(withFileLock(lock, async () => true, { waitMs: 300 })).rejects.toThrow(StoreBusyError);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('writes its owner in the same step: pid and process start time', async () => {
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-lock-'));
    const lock = join(dir, 'curvekeep.lock');
    const owner = await withFileLock(lock, async () => JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; start: string });
    expect(owner.pid).toBe(process.pid);
    expect(owner.start).toMatch(/^\d+$/);
  });

  it('two processes taking one stale lock at once: never both inside', async () => {
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-lock-'));
    const lock = join(dir, 'curvekeep.lock');
    const trace = join(dir, 'trace');
    const module = new URL('../../../dist/main/core/store/file-lock.js', import.meta.url).href;
    const script = `
      const { withFileLock } = await import(${JSON.stringify(module)});
      const { appendFileSync } = await import('node:fs');
      const go = Number(process.env.GO);
      while (Date.now() < go) {}
      await withFileLock(process.env.LOCK, async () => {
        appendFileSync(process.env.TRACE, 'enter ' + process.pid + '\\n');
        await new Promise((r) => setTimeout(r, 100));
        appendFileSync(process.env.TRACE, 'leave ' + process.pid + '\\n');
      });`;
    for (let round = 0; round < 6; round++) {
      writeFileSync(lock, round % 2 ? '' : JSON.stringify({ pid: deadPid(), start: '1', token: 'x' }));
      writeFileSync(trace, '');
      const env = { ...process.env, LOCK: lock, TRACE: trace, GO: String(Date.now() + 700) };
      const children = [0, 1, 2].map(() => spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: 'inherit' }));
      const codes = await Promise.all(children.map((c) => new Promise<number | null>((r) => c.on('exit', r))));
      expect(codes).toEqual([0, 0, 0]);
      const lines = readFileSync(trace, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(6);
      for (let i = 0; i < lines.length; i += 2) {
        expect(lines[i]!.startsWith('enter ')).toBe(true);
        expect(lines[i + 1]).toBe(lines[i]!.replace('enter', 'leave'));
      }
      expect(existsSync(lock)).toBe(false);
    }
  });
});
