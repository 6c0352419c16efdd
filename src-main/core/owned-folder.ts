// A folder Curvekeep writes into but does not own whole: a server's allowlist, a rotation's
// distribution folder, provisioning output. A small manifest beside the files names the ones
// Curvekeep wrote there, and for which purpose (its scope), so that a rewrite removes only its
// own stale files, never replaces a file someone else put there (unless told to), and can name
// what it left alone. The manifest is hidden: zcertstore skips dot files, and pyzmq reads only *.key.
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CurvekeepError, InvalidInputError } from './errors.js';
import { pathExists, readInputFile, syncFolder, writeFileAtomic, writeFileWholeSync } from './files.js';

export const OWNED_MANIFEST = '.curvekeep-owned.json';
/** Files writeAll writes between two turns of the event loop (a few milliseconds' work). */
const WRITE_ALL_SLICE = 256;
const FORMAT = 'curvekeep-owned/1';
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Files in a folder that Curvekeep would have to replace but did not write; they were left untouched. */
export class NotOwnedError extends CurvekeepError {
  readonly code = 'not-owned';

  constructor(
    readonly dir: string,
    readonly files: ReadonlyArray<string>,
  ) {
    const shown = files.slice(0, 10).join(', ') + (files.length > 10 ? ` and ${files.length - 10} more` : '');
    super(`${dir} holds ${files.length} file(s) Curvekeep did not write and would replace: ${shown}; nothing was changed (allow overwriting to replace them)`);
  }
}

export interface OwnedFolderOptions {
  /** Replace files of the same name that Curvekeep did not write. */
  readonly force?: boolean;
}

interface ManifestFile {
  readonly format: typeof FORMAT;
  /** File name -> the scope that wrote it. */
  readonly files: Record<string, string>;
}

async function readManifest(dir: string): Promise<Map<string, string>> {
  const path = join(dir, OWNED_MANIFEST);
  if (!(await pathExists(path))) return new Map();
  try {
    // Bounded and refusing a pipe or device: the folder is the user's, and so is what sits in it.
    const parsed = JSON.parse((await readInputFile(path, MAX_MANIFEST_BYTES)).toString('utf8')) as Partial<ManifestFile>;
    if (parsed.format !== FORMAT || typeof parsed.files !== 'object' || parsed.files === null) throw new Error('unknown format');
    return new Map(Object.entries(parsed.files).filter(([name, scope]) => typeof scope === 'string' && isPlainName(name)));
  } catch {
    // An unreadable manifest claims nothing: every file is then treated as someone else's.
    return new Map();
  }
}

function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && name !== OWNED_MANIFEST;
}

export class OwnedFolder {
  readonly #files: Map<string, string>;
  /** Names that did not exist when claimed: written without replacing, so a file made meanwhile is kept. */
  readonly #fresh = new Set<string>();

  private constructor(
    readonly dir: string,
    readonly scope: string,
    readonly force: boolean,
    files: Map<string, string>,
  ) {
    this.#files = files;
  }

  /** Creates the folder if needed and reads which of its files Curvekeep wrote. */
  static async open(dir: string, scope: string, options: Readonly<OwnedFolderOptions> = {}): Promise<OwnedFolder> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new InvalidInputError(`cannot create ${dir}: ${(error as NodeJS.ErrnoException).code}`);
    }
    return new OwnedFolder(dir, scope, options.force === true, await readManifest(dir));
  }

  /** Curvekeep wrote `name` here (for any purpose). */
  owns(name: string): boolean {
    return this.#files.has(name);
  }

  /** The files this scope wrote. */
  ownNames(): string[] {
    return [...this.#files].filter(([, scope]) => scope === this.scope).map(([name]) => name);
  }

  /**
   * Which of `names` exist and were not written by Curvekeep (none with `force`). Nothing is
   * claimed; callers decide whether that refuses the whole write or one item of it.
   */
  async notOwned(names: Iterable<string>): Promise<string[]> {
    if (this.force) return [];
    const present = new Set(await this.#entries());
    return [...names].filter((name) => present.has(name) && !this.#files.has(name));
  }

  /**
   * Records `names` as this scope's before they are written (a crash in between leaves a name
   * for a file that is absent, which harms nothing). Throws NotOwnedError, changing nothing, when
   * one exists that Curvekeep did not write and `force` is not set.
   */
  async claim(names: Iterable<string>): Promise<void> {
    const wanted = [...names];
    for (const name of wanted) if (!isPlainName(name)) throw new InvalidInputError(`${JSON.stringify(name)} cannot be a file name`);
    const present = new Set(await this.#entries());
    const refused = this.force ? [] : wanted.filter((name) => present.has(name) && !this.#files.has(name));
    if (refused.length) throw new NotOwnedError(this.dir, refused.map((name) => join(this.dir, name)));
    let changed = false;
    for (const name of wanted) {
      if (!present.has(name)) this.#fresh.add(name);
      if (this.#files.get(name) !== this.scope) {
        this.#files.set(name, this.scope);
        changed = true;
      }
    }
    if (changed) await this.save();
  }

  /** Writes a claimed file whole (see files.ts); a file that appeared since the claim is not replaced. */
  async write(name: string, content: string | Uint8Array, mode: number): Promise<string> {
    const path = this.#claimedPath(name);
    await writeFileAtomic(path, content, { mode, overwrite: !this.#fresh.has(name) });
    this.#fresh.delete(name);
    return path;
  }

  /**
   * Writes many claimed files, each whole as `write` does, and syncs the folder once at the end
   * instead of each file and the folder after each: a server's allowlist of 10,000 devices took
   * 37 s that way here. The file data is left to the system to write, as for provisioning's
   * bundles (bundle-writer.ts); a file is still never seen half-written.
   */
  async writeAll(files: ReadonlyArray<{ readonly name: string; readonly content: string | Uint8Array }>, mode: number): Promise<void> {
    for (const [index, { name, content }] of files.entries()) {
      // The rest of the process (the app's other calls, a progress bar) goes on between slices.
      if (index > 0 && index % WRITE_ALL_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      writeFileWholeSync(this.#claimedPath(name), content, { mode, overwrite: !this.#fresh.has(name) });
      this.#fresh.delete(name);
    }
    if (files.length > 0) await syncFolder(this.dir);
  }

  #claimedPath(name: string): string {
    if (this.#files.get(name) !== this.scope) throw new Error(`${name} was not claimed before writing`);
    return join(this.dir, name);
  }

  /** Removes this scope's files that are not in `keep` (and match `which`); returns their paths. */
  async removeStale(keep: ReadonlySet<string>, which: (name: string) => boolean = () => true): Promise<string[]> {
    const removed: string[] = [];
    let changed = false;
    for (const name of this.ownNames()) {
      if (keep.has(name) || !which(name)) continue;
      try {
        await unlink(join(this.dir, name));
        removed.push(join(this.dir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      this.#files.delete(name);
      changed = true;
    }
    if (changed) await this.save();
    return removed;
  }

  /** Paths of the visible files here that Curvekeep did not write (and match `which`): what a rewrite left alone. */
  async foreign(which: (name: string) => boolean = () => true): Promise<string[]> {
    const left: string[] = [];
    for (const name of (await this.#entries()).sort()) {
      if (name.startsWith('.') || this.#files.has(name) || !which(name)) continue;
      try {
        if ((await stat(join(this.dir, name))).isDirectory()) continue;
      } catch {
        continue;
      }
      left.push(join(this.dir, name));
    }
    return left;
  }

  async save(): Promise<void> {
    const files: Record<string, string> = {};
    for (const [name, scope] of [...this.#files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) files[name] = scope;
    const manifest: ManifestFile = { format: FORMAT, files };
    await writeFileAtomic(join(this.dir, OWNED_MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`, { mode: 0o644, overwrite: true });
  }

  async #entries(): Promise<string[]> {
    return readdir(this.dir);
  }
}

/** The names Curvekeep wrote in `dir` (any scope), read without creating or changing anything. */
export async function ownedNames(dir: string): Promise<Set<string>> {
  return new Set((await readManifest(dir)).keys());
}
