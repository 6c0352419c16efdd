// A lock file that keeps a second writer (the app and the CLI at once) out while one of them
// reads, changes and writes the document. A lock left by a process that died is taken over.
import { open, readFile, unlink } from 'node:fs/promises';
import { StoreBusyError } from '../errors.js';

const WAIT_MS = 10_000;
const STALE_MS = 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(path: string): Promise<boolean> {
  try {
    const [pidText, timeText] = (await readFile(path, 'utf8')).split(' ');
    const pid = Number(pidText);
    const age = Date.now() - Number(timeText);
    return !Number.isInteger(pid) || !alive(pid) || (pid === process.pid && age > STALE_MS) || age > 10 * STALE_MS;
  } catch {
    return false; // gone already, or being written: try again
  }
}

export async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${Date.now()}`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(path)) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new StoreBusyError(`the data folder is locked by another Curvekeep process (${path}); try again when it has finished`);
      }
      await new Promise((resolve) => setTimeout(resolve, 15 + Math.random() * 20));
    }
  }
  try {
    return await work();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}
