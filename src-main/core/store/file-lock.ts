// A lock file that keeps a second writer (the app and the CLI at once) out while one of them
// reads, changes and writes the document.
//
// The lock appears whole: its owner (pid, the process start time, a random token) is written to a
// file of its own, which is then linked into place exclusively. So an empty or unreadable lock is
// never one being written: it is left by a full disk or an older version, and is stale. A lock
// whose pid is dead, or alive but started at another time (the pid was reused), is stale too
// (start times come from /proc on Linux; elsewhere the pid alone decides).
//
// A stale lock is taken over by renaming it to a unique name and checking that what was moved is
// the very file judged stale (same inode); a fresh lock moved by mistake is put back at once. So
// two processes taking one stale lock cannot both get it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
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

/** Moves the stale lock (inode `ino`) out of the way; a fresh lock moved by mistake goes back. */
async function takeOver(path: string, ino: number): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else took it
    throw error;
  }
  try {
    if ((await stat(aside)).ino !== ino) await link(aside, path).catch(() => undefined);
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

/** Whether a lock file is there and its owner gone (doctor), with the reason. */
export async function inspectLock(path: string): Promise<{ readonly present: boolean; readonly stale: ReturnType<typeof staleReason> }> {
  const lock = await readLock(path);
  return lock ? { present: true, stale: staleReason(lock.text) } : { present: false, stale: null };
}

/** Removes the lock if (and only if) it is still the stale one read (doctor --repair). */
export async function removeStaleLock(path: string): Promise<boolean> {
  const lock = await readLock(path);
  if (!lock || staleReason(lock.text) === null) return false;
  await takeOver(path, lock.ino);
  return true;
}

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
  const token = randomBytes(8).toString('hex');
  const temp = `${path}.${process.pid}-${token}`;
  await writeFile(temp, JSON.stringify({ pid: process.pid, start: processStartTime(process.pid), token }), { mode: 0o600 });
  try {
    for (;;) {
      try {
        await linkOrCreate(temp, path);
        held.add(token);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const lock = await readLock(path);
      if (lock === null) continue;
      if (staleReason(lock.text) !== null) {
        await takeOver(path, lock.ino);
        continue;
      }
      if (Date.now() > deadline) {
        throw new StoreBusyError(`the data folder is locked by another Curvekeep process (${path}); try again when it has finished`);
      }
      await new Promise((resolve) => setTimeout(resolve, 15 + Math.random() * 20));
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  try {
    return await work();
  } finally {
    held.delete(token);
    // Only our own lock is removed.
    const lock = await readLock(path).catch(() => null);
    if (lock && parseOwner(lock.text)?.token === token) await unlink(path).catch(() => undefined);
  }
}
