// The built CLI, app and bridge (scripts/build-main.mjs; `npm test` builds first): what each
// command loads, traced in the real process (test/helpers/build/trace-loads.mjs), and that every
// import and file URL of the bundles points at a file that is there.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = join(ROOT, 'dist', 'main');
const TRACER = fileURLToPath(new URL('../../helpers/build/trace-loads.mjs', import.meta.url));
const ENTRIES = ['cli/start.cjs', 'app/main.js', 'bridge/serve.js'];
const SERVER_KEY = 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ';

interface Loads {
  readonly code: number | null;
  readonly stderr: string;
  /** Files of this checkout (relative, e.g. `dist/main/cli/start.cjs`), ES modules or required; not bin/curvekeep.js. */
  readonly files: string[];
  /** Of those, the ones loaded as ES modules. */
  readonly esm: string[];
  /** Packages and built-ins loaded by CommonJS `require` (files are in `files`). */
  readonly required: string[];
  /** Whether any file loaded holds zod's code. */
  readonly zod: boolean;
}

let t: TestWorkspace;
let traceDir: string;
let counter = 0;

function traced(args: ReadonlyArray<string>): Loads {
  const out = join(traceDir, `trace-${++counter}.txt`);
  const run = spawnSync(process.execPath, ['--import', TRACER, CLI, ...args], {
    env: { ...t.env, CURVEKEEP_TRACE_LOADS: out },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const lines = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : [];
  const esm = [...new Set(lines.filter((l) => l.startsWith('import file://')).map((l) => fileURLToPath(l.slice('import '.length))))];
  const requiredFiles = lines.filter((l) => l.startsWith('require-file ')).map((l) => l.slice('require-file '.length));
  const files = [...new Set([...esm, ...requiredFiles])];
  // The command's own file (the process's main module, resolved as a URL under --import) is not counted.
  const ours = (list: string[]): string[] => list.filter((f) => f.startsWith(ROOT)).map((f) => f.slice(ROOT.length)).filter((f) => f !== 'bin/curvekeep.js');
  return {
    code: run.status,
    stderr: run.stderr,
    files: ours(files),
    esm: ours(esm),
    required: [...new Set(lines.filter((l) => l.startsWith('require ')).map((l) => l.slice('require '.length)))],
    zod: files.some((f) => /\.c?js$/.test(f) && /\$ZodType\b/.test(readFileSync(f, 'utf8'))),
  };
}

/** The source files (src-main/...) bundled into the chunks loaded, as their source maps name them. */
function sourcesOf(files: ReadonlyArray<string>): string[] {
  const sources = new Set<string>();
  for (const file of files.filter((f) => f.startsWith('dist/') && existsSync(join(ROOT, `${f}.map`)))) {
    const map = JSON.parse(readFileSync(join(ROOT, `${file}.map`), 'utf8')) as { sources: string[] };
    for (const source of map.sources) {
      const at = source.indexOf('src-main/');
      if (at >= 0) sources.add(source.slice(at));
    }
  }
  return [...sources];
}

const loadsZeromq = (l: Loads): boolean => l.required.some((r) => r === 'zeromq' || r.includes('/zeromq/'));
const loadsKeytar = (l: Loads): boolean => l.required.some((r) => r.includes('keytar'));
/** The command line's own files: the two first files and the chunks, all CommonJS. */
const CLI_FILE = /^dist\/main\/(cli\/(compile-cache|start)\.cjs|cli-chunks\/[^/]+\.cjs)$/;

beforeAll(() => {
  t = testWorkspace('build-bundle');
  traceDir = mkdtempSync(join(tmpdir(), 'curvekeep-trace-'));
  const made = spawnSync(process.execPath, [CLI, 'keys', 'generate', '--name', 'laptop', '--role', 'client'], { env: t.env, encoding: 'utf8', timeout: 30_000 });
  expect(made.status, made.stderr).toBe(0);
});
afterAll(async () => {
  rmSync(traceDir, { recursive: true, force: true });
  await t.cleanup();
});

describe('what a command loads', () => {
  it('--version loads nothing of the build', () => {
    const l = traced(['--version']);
    expect(l.code, l.stderr).toBe(0);
    expect(l.files).toEqual([]);
    expect(l.required.filter((r) => !r.startsWith('node:'))).toEqual([]);
  });

  it('keys list --json loads the command line\'s CommonJS chunks only: no ES module, no zeromq, no per-file module, no zod', () => {
    const l = traced(['--json', 'keys', 'list']);
    expect(l.code, l.stderr).toBe(0);
    // cli/start.cjs registers the one command named (cli/main, every command, is for help).
    expect(l.files).toContain('dist/main/cli/start.cjs');
    expect(l.files.filter((f) => /cli-chunks\/main-/.test(f))).toEqual([]);
    for (const file of l.files.filter((f) => !f.startsWith('node_modules/'))) expect(file).toMatch(CLI_FILE);
    expect(l.esm).toEqual([]);
    expect(loadsZeromq(l)).toBe(false);
    // A sealed document of this schema version is read without zod (it was validated when written).
    expect(l.zod).toBe(false);
    // The store's seal key is in the keychain: keytar is needed here, and is required, not imported.
    expect(loadsKeytar(l)).toBe(true);
    // commander's executable subcommands are never used: child_process is not loaded for it.
    expect(l.required).not.toContain('node:child_process');
  });

  it('help and a store-free command load neither zod, zeromq nor keytar', () => {
    for (const args of [['pins', 'compute', '--help'], ['--help'], ['pins', 'compute', '--pem', join(ROOT, 'test', 'no-such-file.pem')]]) {
      const l = traced(args);
      expect(l.files, args.join(' ')).toContain('dist/main/cli/start.cjs');
      expect(l.zod, args.join(' ')).toBe(false);
      expect(loadsZeromq(l), args.join(' ')).toBe(false);
      expect(loadsKeytar(l), args.join(' ')).toBe(false);
    }
  });

  it('pins compute loads the computing of pins only: no pin set, check, export or backup key', () => {
    // The closed port 9: refused at once, after every module the command needs has been loaded.
    const l = traced(['--json', 'pins', 'compute', '--host', '127.0.0.1:9']);
    expect(l.stderr).not.toMatch(/internal error/);
    const sources = sourcesOf(l.files);
    expect(sources).toContain('src-main/core/usecases/pin-compute.ts');
    expect(sources).toContain('src-main/core/pins/tls-chain.ts');
    for (const module of ['usecases/pins.ts', 'pins/pin-set.ts', 'pins/pin-check.ts', 'pins/pin-export.ts', 'pins/tls-report.ts', 'pins/backup-key.ts']) {
      expect(sources, module).not.toContain(`src-main/core/${module}`);
    }
  });

  it('a link test loads zeromq (the trace sees it when it is there), and no zod: the sealed store is read without it', () => {
    const l = traced(['--json', 'test', 'tcp://127.0.0.1:9', '--server-key', SERVER_KEY, '--as', 'laptop', '--timeout', '300']);
    expect(l.stderr).not.toMatch(/internal error/);
    expect(loadsZeromq(l)).toBe(true);
    expect(l.zod).toBe(false);
  });

  it('a link test with a pasted server key and a one-time key uses nothing stored: no keytar, no zod', () => {
    const l = traced(['--json', 'test', 'tcp://127.0.0.1:9', '--server-key', SERVER_KEY, '--one-time-key', '--timeout', '300']);
    expect(l.stderr).not.toMatch(/internal error/);
    expect(l.code).toBe(1); // unreachable
    expect(loadsZeromq(l)).toBe(true);
    expect(loadsKeytar(l)).toBe(false);
    expect(l.zod).toBe(false);
  });
});

/** How a bundle names its own URL: import.meta.url, or in a CommonJS file of the command line, the file's. */
const META_URL = '(?:import\\.meta\\.url|__ckImportMetaUrl)';

describe('the installed command', () => {
  it('in a checkout not built yet says how to build it (exit 3); --version needs no build', () => {
    const bare = mkdtempSync(join(tmpdir(), 'curvekeep-unbuilt-'));
    try {
      mkdirSync(join(bare, 'bin'));
      for (const file of ['curvekeep.js', 'package.json']) copyFileSync(join(ROOT, 'bin', file), join(bare, 'bin', file));
      copyFileSync(join(ROOT, 'package.json'), join(bare, 'package.json'));
      const run = spawnSync(process.execPath, [join(bare, 'bin', 'curvekeep.js'), 'keys', 'list'], { env: t.env, encoding: 'utf8', timeout: 30_000 });
      expect(run.status).toBe(3);
      expect(run.stderr).toMatch(/not built yet; run `npm install` \(or `npm run build:main`\)/);
      const version = spawnSync(process.execPath, [join(bare, 'bin', 'curvekeep.js'), '--version'], { encoding: 'utf8', timeout: 30_000 });
      expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe('the bundles', () => {
  /** Every file an entry reaches through static and dynamic imports and requires of relative paths. */
  function reachable(entries: ReadonlyArray<string> = ENTRIES): string[] {
    const seen = new Set<string>();
    const queue = entries.map((e) => join(DIST, e));
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) queue.push(join(dirname(file), m[1]!));
    }
    return [...seen];
  }

  it('are there, with the preload, and every relative import and file URL in them names a file that exists', () => {
    for (const entry of [...ENTRIES, 'app/preload.cjs']) expect(existsSync(join(DIST, entry)), entry).toBe(true);
    const files = reachable();
    expect(files.length).toBeGreaterThan(ENTRIES.length);
    const urls: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // import.meta.url is rewritten to the module's own per-file path (in the command line's
      // CommonJS files, from the file's own URL); what it resolves must exist.
      for (const m of text.matchAll(new RegExp(`new URL\\(\\s*"(\\.\\.\\/[^"]+)",\\s*${META_URL}\\s*\\)`, 'g'))) {
        const own = join(dirname(file), m[1]!);
        expect(existsSync(own) || own.endsWith('.js'), own).toBe(true);
        urls.push(own);
      }
    }
    expect(urls.length).toBeGreaterThan(0);
    for (const own of urls) expect(own.startsWith(DIST), own).toBe(true);
    // The worker scripts and the preload that the bundles start by URL.
    const started = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(new RegExp(`new URL\\(\\s*"\\.\\/([^"]+)",\\s*new URL\\(\\s*"(\\.\\.\\/[^"]+)",\\s*${META_URL}\\s*\\)`, 'g'))]
      .map((m) => join(dirname(join(dirname(f), m[2]!)), m[1]!)));
    for (const file of started) expect(existsSync(file), file).toBe(true);
  });

  it('the Electron main process reaches nothing in bridge/ (which is not packaged)', () => {
    const files = reachable(['app/main.js']);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) expect(file.startsWith(join(DIST, 'bridge')), file).toBe(false);
  });

  it('import only packages that resolve from the checkout: electron, zeromq and keytar stay outside', () => {
    const require = createRequire(join(ROOT, 'package.json'));
    const bare = new Set<string>();
    for (const file of reachable()) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:^import\b[^;\n]*?\bfrom\s*|\bimport\(|\b(?:__)?require\()"((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w.-]+)*)"/gm)) bare.add(m[1]!);
    }
    for (const name of bare) {
      if (name.startsWith('node:')) continue;
      expect(() => require.resolve(name), name).not.toThrow();
    }
    expect(bare).toContain('electron');
    expect(bare).toContain('zeromq');
    expect(bare).not.toContain('commander');
    expect(readdirSync(join(DIST, 'chunks')).length).toBeGreaterThan(0);
  });
});
