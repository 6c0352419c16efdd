// Compiled code kept between runs of the command line, so that V8 does not parse and compile the
// same chunks again on every command. Node 22.1+ does this itself (`module.enableCompileCache`);
// on an older Node, the command line's own CommonJS files (dist/main/cli/ and cli-chunks/) are
// compiled through `vm.Script` with V8's code cache, which is what Node's own cache does for them,
// and a relative require between them is resolved by its path, without Node's stat and real-path
// walk (about 5 ms of `pins compute --host` here).
// Loaded by bin/curvekeep.js before anything else of the build, as a file of its own
// (dist/main/cli/compile-cache.cjs): it uses Node's built-in modules only.
//
// A cache entry is named by the file's name, size and modification time (V8 itself checks only the
// source's length, its own version and flags), so a rebuilt file never meets the code of the old
// one. The folder is the user's own cache folder, created private (0700); one that another user
// owns or others may write to is not used: code read from it runs as ours.
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { Script } from 'node:vm';

/** Where the cache lives, or null when it is switched off (or no home folder is known). */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  const chosen = env.CURVEKEEP_COMPILE_CACHE;
  if (chosen === 'off' || env.NODE_DISABLE_COMPILE_CACHE) return null;
  if (chosen) return chosen;
  if (platform === 'win32') return env.LOCALAPPDATA ? join(env.LOCALAPPDATA, 'Curvekeep', 'compile-cache') : null;
  if (!env.HOME) return null;
  if (platform === 'darwin') return join(env.HOME, 'Library', 'Caches', 'Curvekeep', 'compile-cache');
  const cacheHome = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(env.HOME, '.cache');
  return join(cacheHome, 'curvekeep', 'compile-cache');
}

/** Whether a folder is ours alone: owned by us, and no one else may write to it. */
function ownedAlone(dir: string): boolean {
  const stat = statSync(dir);
  if (!stat.isDirectory()) return false;
  if (process.platform === 'win32') return true;
  return stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
}

/** `folder` (inside `root`) made private if missing; false if it cannot be, or either is not ours alone. */
function privateFolder(root: string, folder: string = root): boolean {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    return ownedAlone(root) && (folder === root || ownedAlone(folder));
  } catch {
    return false;
  }
}

type Compile = (this: Module, content: string, filename: string) => unknown;
interface ModuleInternals {
  _compile: Compile;
}
interface ModuleStatics {
  wrap(content: string): string;
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
  _cache: Record<string, Module>;
}

/** Writes a file whole or not at all (another run may be reading or writing the same entry). */
function writeAtomically(file: string, data: Uint8Array): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Compiles the CommonJS files under `ownRoots` with V8's code cache in `dir`; every other file as
 * Node does. Entries for code compiled afresh are written when the process exits (by then they
 * hold the functions that ran, not only the top level).
 */
export function installOwnCompileCache(dir: string, ownRoots: ReadonlyArray<string>): boolean {
  const folder = join(dir, `v8-${process.versions.v8}-${process.arch}`);
  if (!privateFolder(dir, folder)) return false;
  const statics = Module as unknown as ModuleStatics;
  const proto = Module.prototype as unknown as ModuleInternals;
  const nodeCompile = proto._compile;
  const fresh: Array<{ entry: string; name: string; script: Script }> = [];

  const isOwn = (path: string): boolean => ownRoots.some((root) => path.startsWith(root));

  proto._compile = function compileWithCache(this: Module, content: string, filename: string): unknown {
    if (!isOwn(filename)) return nodeCompile.call(this, content, filename);
    const file = statSync(filename);
    const name = basename(filename);
    const entry = join(folder, `${name}-${file.size}-${Math.trunc(file.mtimeMs)}`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(entry);
    } catch {
      cachedData = undefined;
    }
    const script = new Script(statics.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    if (!cachedData || script.cachedDataRejected) fresh.push({ entry, name, script });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const require = ((id: string) => this.require(id)) as NodeJS.Require;
    require.resolve = ((request: string, options?: { paths?: string[] }) => statics._resolveFilename(request, this, false, options)) as NodeJS.RequireResolve;
    require.cache = statics._cache;
    return wrapper.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };

  // A chunk's relative require of another of our built files: the path itself. Node's resolver
  // would stat it and walk its real path (an lstat per folder of it) for every chunk.
  const nodeResolve = statics._resolveFilename;
  statics._resolveFilename = function resolveOwn(request, parent, isMain, options) {
    const from = parent?.filename;
    if (request.startsWith('.') && request.endsWith('.cjs') && from && isOwn(from)) {
      const path = resolve(dirname(from), request);
      if (isOwn(path)) return path;
    }
    return nodeResolve.call(this, request, parent, isMain, options);
  };

  process.once('exit', () => {
    if (fresh.length === 0) return;
    let present: string[];
    try {
      present = readdirSync(folder);
    } catch {
      return;
    }
    for (const { entry, name, script } of fresh) {
      try {
        // The entries of older builds of the same file go.
        for (const old of present) if (old.startsWith(`${name}-`) && join(folder, old) !== entry) rmSync(join(folder, old), { force: true });
        writeAtomically(entry, script.createCachedData());
      } catch {
        // A cache that cannot be written is a slower next start, nothing more.
      }
    }
  });
  return true;
}

/**
 * Turns the cache on for this process: Node's own where the running Node has it, else ours for
 * the command line's files. Returns which one, or 'off'.
 */
export function enableCompileCache(ownRoots: ReadonlyArray<string>, dir: string | null = compileCacheDir()): 'node' | 'own' | 'off' {
  if (dir === null) return 'off';
  const node = Module as unknown as {
    enableCompileCache?: (dir: string) => { status: number };
    constants?: { compileCacheStatus?: { ENABLED: number; ALREADY_ENABLED: number } };
  };
  if (node.enableCompileCache) {
    if (!privateFolder(dir)) return 'off';
    const { status } = node.enableCompileCache(join(dir, 'node'));
    // Already enabled: by NODE_COMPILE_CACHE, in the folder the user chose.
    const { ENABLED, ALREADY_ENABLED } = node.constants?.compileCacheStatus ?? { ENABLED: 1, ALREADY_ENABLED: 2 };
    return status === ENABLED || status === ALREADY_ENABLED ? 'node' : 'off';
  }
  return installOwnCompileCache(dir, ownRoots.map((root) => (root.endsWith(sep) ? root : root + sep))) ? 'own' : 'off';
}
