// A lock file that keeps a second writer (the app and the CLI at once) out while one of them
// reads, changes and writes the document.
//
// The lock appears whole: its owner (pid, the process start time, a random token) is written to a
// file of its own, which is then linked into place exclusively. So an empty or unreadable lock is
// never one being written: it is left by a full disk or an older version, and is stale. A lock
// whose pid is dead, or alive but started at another time (the pid was reused), is stale too
// (start times come from /proc on Linux; elsewhere the pid alone decides).
//
// A stale lock is removed only while holding a second lock (PATH.break) that serializes takers,
// and only if it is still the very file judged stale (same inode): two processes taking one stale
// lock cannot both get it, and a fresh lock is never removed. Calls within one process queue up
// before they touch the file.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StoreBusyError } from '../errors.js';

const WAIT_MS = 10_000;

/** Tokens of the locks this process holds (a lock naming this pid but another token is stale). */
const held = new Set<string>();

interface Owner {
  readonly pid: number;
  readonly start: string | null;
  readonly token: string | null;
}

/** The start time of a process in clock ticks since boot (Linux), or null where unknown. */
export function processStartTime(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count from its end.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): Owner | null {
  const trimmed = text.trim();
  const legacy = /^(\d+) \d+$/.exec(trimmed); // "PID TIME", written by earlier versions
  if (legacy) return { pid: Number(legacy[1]), start: null, token: null };
  try {
    const o = JSON.parse(trimmed) as Partial<Owner>;
    if (typeof o.pid === 'number' && Number.isInteger(o.pid)) {
      return { pid: o.pid, start: typeof o.start === 'string' ? o.start : null, token: typeof o.token === 'string' ? o.token : null };
    }
  } catch {
    // garbage
  }
  return null;
}

/** Why a lock's owner is gone, or null while it holds the lock. */
export function staleReason(text: string): 'unreadable' | 'dead' | 'reused-pid' | 'released' | null {
  const owner = parseOwner(text);
  if (!owner || owner.pid <= 0) return 'unreadable';
  if (owner.pid === process.pid) return owner.token !== null && held.has(owner.token) ? null : 'released';
  if (!alive(owner.pid)) return 'dead';
  const start = processStartTime(owner.pid);
  if (start !== null && owner.start !== null && start !== owner.start) return 'reused-pid';
  return null;
}

/** The lock's content and inode, read through one handle; null when there is none. */
async function readLock(path: string): Promise<{ text: string; ino: number } | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { ino } = await handle.stat();
    return { text: await handle.readFile('utf8'), ino };
  } finally {
    await handle.close();
  }
}

/**
 * Removes the stale lock (inode `ino`). Takeovers are serialized by a second lock, `PATH.break`,
 * made the same way: while it is held, the stale lock cannot change (its owner is gone, no other
 * taker may move it, and no new lock can be linked over it), so checking it again and removing it
 * is safe; a fresh lock is never removed by mistake.
 */
async function takeOver(path: string, ino: number, ownerFile: string): Promise<void> {
  const breaker = `${path}.break`;
  try {
    await linkOrCreate(ownerFile, breaker);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another taker is at it; one killed while at it left a breaker that is stale in turn.
    const other = await readLock(breaker);
    if (other && staleReason(other.text) !== null) await unlink(breaker).catch(() => undefined);
    return;
  }
  try {
    const lock = await readLock(path);
    if (lock && lock.ino === ino && staleReason(lock.text) !== null) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

/** Whether a lock file is there and its owner gone (doctor), with the reason. */
export async function inspectLock(path: string): Promise<{ readonly present: boolean; readonly stale: ReturnType<typeof staleReason> }> {
  const lock = await readLock(path);
  return lock ? { present: true, stale: staleReason(lock.text) } : { present: false, stale: null };
}

/**
 * Owner files a killed process left beside the lock (`PATH.PID-TOKEN`, `PATH.break`) whose owner
 * is gone: harmless, but litter (doctor).
 */
export async function leftoverLockFiles(path: string): Promise<string[]> {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const name of names.filter((n) => n.startsWith(prefix) && /^(\d+-[0-9a-f]+|break)$/.test(n.slice(prefix.length)))) {
    const file = join(dirname(path), name);
    const lock = await readLock(file).catch(() => null);
    if (lock && staleReason(lock.text) !== null) found.push(file);
  }
  return found;
}

/** Removes the lock if (and only if) it is stale (doctor --repair). */
export async function removeStaleLock(path: string): Promise<boolean> {
  const lock = await readLock(path);
  if (!lock || staleReason(lock.text) === null) return false;
  await withOwnerFile(path, (ownerFile) => takeOver(path, lock.ino, ownerFile));
  return (await readLock(path))?.ino !== lock.ino;
}

/** Writes this attempt's owner record to a file of its own, held while `use` runs. */
async function withOwnerFile<T>(path: string, use: (ownerFile: string, token: string) => Promise<T>): Promise<T> {
  const token = randomBytes(8).toString('hex');
  const ownerFile = `${path}.${process.pid}-${token}`;
  held.add(token);
  try {
    await writeFile(ownerFile, JSON.stringify({ pid: process.pid, start: processStartTime(process.pid), token }), { mode: 0o600 });
    return await use(ownerFile, token);
  } finally {
    held.delete(token);
    await unlink(ownerFile).catch(() => undefined);
  }
}

/** Calls of this process for one lock path, one after the other (the lock file is per process). */
const queues = new Map<string, Promise<void>>();

/** link() where the file system has hard links; an exclusive create with the same content elsewhere. */
async function linkOrCreate(temp: string, path: string): Promise<void> {
  try {
    await link(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(await readFile(temp, 'utf8'));
    } finally {
      await handle.close();
    }
  }
}

export async function withFileLock<T>(path: string, work: () => Promise<T>, options: { readonly waitMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? WAIT_MS);
  const busy = () => new StoreBusyError(`the data folder is locked by another Curvekeep process (${path}); try again when it has finished`);
  // First in line within this process.
  const before = queues.get(path) ?? Promise.resolve();
  let done!: () => void;
  const mine = before.then(() => new Promise<void>((resolve) => (done = resolve)));
  queues.set(path, mine);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      before,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(busy()), Math.max(0, deadline - Date.now()));
      }),
    ]);
  } catch (error) {
    // Our place in the line is given up once the ones before us are done.
    void before.then(() => done());
    throw error;
  } finally {
    clearTimeout(timer);
  }
  try {
    return await withOwnerFile(path, async (ownerFile, token) => {
      for (;;) {
        try {
          await linkOrCreate(ownerFile, path);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const lock = await readLock(path);
        if (lock === null) continue;
        if (staleReason(lock.text) !== null) {
          await takeOver(path, lock.ino, ownerFile);
          continue;
        }
        if (Date.now() > deadline) throw busy();
        await new Promise((resolve) => setTimeout(resolve, 15 + Math.random() * 20));
      }
      try {
        return await work();
      } finally {
        // Only our own lock is removed.
        const lock = await readLock(path).catch(() => null);
        if (lock && parseOwner(lock.text)?.token === token) await unlink(path).catch(() => undefined);
      }
    });
  } finally {
    done();
    if (queues.get(path) === mine) queues.delete(path);
  }
}
