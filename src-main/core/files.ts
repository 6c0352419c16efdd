// Reading what the user hands us and writing what we hand out: bounded reads with clear errors,
// atomic writes that never leave half a file, secrets created 0600 from the first byte.
import { constants } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InvalidInputError, DataFolderError } from './errors.js';

export async function readInputFile(path: string, maxBytes: number): Promise<Buffer> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${code}`);
  }
  if (info.isDirectory()) throw new InvalidInputError(`${path} is a folder, not a file`);
  if (info.size > maxBytes) {
    throw new InvalidInputError(`${path} is too large (${info.size} bytes; at most ${maxBytes} are read)`);
  }
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) throw new InvalidInputError(`${path} is too large (at most ${maxBytes} bytes are read)`);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export interface WriteOptions {
  /** 0o600 for anything holding a secret. */
  readonly mode: number;
  readonly overwrite?: boolean;
}

/** Writes to a temporary file in the same folder, fsyncs it and renames it into place. */
export async function writeFileAtomic(path: string, content: string | Uint8Array, options: WriteOptions): Promise<void> {
  if (!options.overwrite) {
    try {
      await stat(path);
      throw new InvalidInputError(`${path} exists already; remove it or choose another path`);
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
    }
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (error instanceof InvalidInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EROFS')
      ? new InvalidInputError(`cannot write ${path}: ${code}`)
      : new DataFolderError(`cannot write ${path}: ${code ?? (error as Error).message}`);
  }
}
