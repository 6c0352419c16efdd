// Builds dist/main/ from src-main/ with esbuild. Type-checking is `npm run check`.
//
// 1. The processes Curvekeep starts are bundles. The Electron main process (app/main.js, package.json's
//    "main") and the browser bridge (bridge/serve.js) are ES modules; esbuild follows their imports,
//    so a new module is picked up without being named here, and every `await import()` in the
//    sources becomes a lazy chunk (dist/main/chunks/). Native and heavy packages stay outside:
//    zeromq and @github/keytar are `require`d on first use (no ESM wrapper to lex), electron is the
//    runtime's own.
// 2. The command line (cli/start.cjs, required by bin/curvekeep.js: it loads the one command module
//    a command line names, else cli/main, which registers them all) is the same kind of bundle with
//    lazy chunks (dist/main/cli-chunks/), turned into CommonJS and minified (whitespace and syntax;
//    names stay): a command starts once per run, and Node loads a CommonJS file synchronously
//    where each ES module costs a resolve, an asynchronous read, a compile and a link.
// 3. Every other module is also transpiled on its own to dist/main/<same path>.js, so that tests
//    and benches can import any module (e.g. dist/main/core/workspace.js), and worker scripts
//    (referenced as `new URL('./x.js', import.meta.url)`) are bundled standalone at their own path.
// 4. The preload is one CommonJS file, because Electron's sandboxed preloads cannot be ES modules.
//
// The output is written to a temporary folder and renamed into place, so that a test run that is
// reading dist/main while another run builds sees a whole build, not a half-deleted one.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(root, 'src-main');
const DIST = join(root, 'dist');
const OUT = join(DIST, 'main');
const TARGET = 'node20';

/** The processes: bundled, each at depth one under dist/main (see importMetaPlugin). */
const ENTRIES = ['app/main.ts', 'bridge/serve.ts'];
/** The command line's entry (its chunks go to dist/main/cli-chunks/, also at depth one). */
const CLI_ENTRY = 'cli/start.ts';
/** The compile cache the command line turns on before loading its chunks (bin/curvekeep.js). */
const CLI_COMPILE_CACHE = 'cli/compile-cache.ts';
/** Loaded from node_modules at run time, never bundled. */
const REQUIRED_AT_RUN_TIME = ['zeromq', '@github/keytar'];
const EXTERNAL = ['electron', ...REQUIRED_AT_RUN_TIME];

const posix = (path) => path.split(sep).join('/');

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.svelte.ts') ? [path] : [];
  });
}

/** Sibling scripts started by URL (workers): `new URL('./x.js', import.meta.url)` with x.ts beside it. */
function workerScripts(files) {
  const found = new Set();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/new URL\(\s*['"](\.\.?\/[^'"]+)\.js['"]\s*,\s*import\.meta\.url\s*\)/g)) {
      const target = join(dirname(file), `${match[1]}.ts`);
      if (existsSync(target)) found.add(target);
    }
  }
  return [...found];
}

/**
 * In a bundle, a module's code may land in an entry file or in a chunk, so `import.meta.url`
 * would name a different file than the module's own. Every source's `import.meta.url` (and
 * `dirname`/`filename`) is rewritten to the URL of its per-file copy, dist/main/<path>.js,
 * computed from the output file's own URL; `depth` is how many folders below dist/main every
 * output file of the build lies. Relative lookups (package.json, the renderer, the preload, a
 * worker script) therefore resolve exactly as they do unbundled.
 */
function importMetaPlugin(depth) {
  return {
    name: 'curvekeep-import-meta',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        let contents = readFileSync(args.path, 'utf8');
        if (!args.path.startsWith(SRC + sep) || !contents.includes('import.meta.')) return undefined;
        const own = `${'../'.repeat(depth)}${posix(relative(SRC, args.path)).replace(/\.ts$/, '.js')}`;
        const url = `new URL(${JSON.stringify(own)}, import.meta.url)`;
        let extra = '';
        if (/import\.meta\.(dirname|filename)\b/.test(contents)) {
          // Appended, not prepended, so that source map lines stay where they are (imports hoist).
          extra = "\nimport { fileURLToPath as __ckFileURLToPath } from 'node:url';\n";
          contents = contents
            .replace(/import\.meta\.dirname\b/g, `__ckFileURLToPath(new URL('.', ${url})).replace(/[\\\\/]$/, '')`)
            .replace(/import\.meta\.filename\b/g, `__ckFileURLToPath(${url})`);
        }
        contents = contents.replace(/import\.meta\.url\b/g, `${url}.href`) + extra;
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * zeromq and keytar are CommonJS with native parts: an ESM `import` of them makes Node lex their
 * source for export names; a `require` on first use does not. `import * as zmq from 'zeromq'`
 * becomes a CommonJS stub whose `require` is left to Node (see the banner).
 */
const requireAtRunTime = {
  name: 'curvekeep-require-at-run-time',
  setup(b) {
    const filter = new RegExp(`^(${REQUIRED_AT_RUN_TIME.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.kind === 'require-call' ? { path: args.path, external: true } : { path: args.path, namespace: 'require-at-run-time' },
    );
    b.onLoad({ filter: /.*/, namespace: 'require-at-run-time' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * zod's `z` namespace re-exports its 60-odd message locales, so a bundle that uses `z.string()`
 * holds all of them (half of zod's code, parsed on every store read). Curvekeep's messages are
 * English: in the bundles, `z.locales` holds `en` only (zod's default, set by zod itself).
 */
const zodEnglishOnly = {
  name: 'curvekeep-zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-english-only' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * `await import('pkg')` of a package is left to Node: esbuild would give a CommonJS package's
 * chunk a default export only (Node's own import finds its named exports), and such packages are
 * on rare paths anyway (cli-progress, @peculiar/x509). Packages imported statically are bundled.
 */
const dynamicPackagesAtRunTime = {
  name: 'curvekeep-dynamic-packages-at-run-time',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'dynamic-import' && !args.path.startsWith('node:') ? { path: args.path, external: true } : undefined,
    );
  },
};

/**
 * pg requires its optional native binding (`pg-native`) only when `pg.native` is read, which
 * Curvekeep never does (the JavaScript client is the one that takes our TLS checks). The bundle
 * holds a stub that says so instead of a `require` of a package that is not installed.
 */
const pgNativeAbsent = {
  name: 'curvekeep-pg-native-absent',
  setup(b) {
    b.onResolve({ filter: /^pg-native$/ }, (args) => ({ path: args.path, namespace: 'absent-optional' }));
    b.onLoad({ filter: /.*/, namespace: 'absent-optional' }, () => ({
      contents: 'throw new Error("pg-native is not part of Curvekeep: it uses the pg JavaScript client");',
      loader: 'js',
    }));
  },
};

/**
 * commander requires `child_process` at its top for executable subcommands (`git-foo` style),
 * which Curvekeep does not have; loading it brings `net`, `dgram` and their kin into every
 * command's start. In the command line's bundle commander gets a stand-in that requires the
 * real module the first time one of its functions is used.
 */
const lazyChildProcessForCommander = {
  name: 'curvekeep-lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "let real; const load = () => (real ??= require('node:child_process'));\n" +
        "module.exports = new Proxy({}, { get: (_, name) => load()[name], has: (_, name) => name in load() });",
      loader: 'js',
    }));
  },
};

/** What every bundle of ours is built with; `depth` as importMetaPlugin takes it. */
const bundlePlugins = (depth) => [importMetaPlugin(depth), requireAtRunTime, zodEnglishOnly, dynamicPackagesAtRunTime, pgNativeAbsent];

// Bundled CommonJS packages (commander, qrcode, ...) `require` Node's own modules.
const BANNER = "import { createRequire as __ckCreateRequire } from 'node:module'; const require = __ckCreateRequire(import.meta.url);";

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: TARGET,
  sourcemap: 'linked',
  logLevel: 'warning',
  external: EXTERNAL,
  banner: { js: BANNER },
};

/** The command line's files: CommonJS, minified (whitespace and syntax; names stay), source maps linked. */
const MINIFIED_COMMONJS = {
  format: 'cjs',
  platform: 'node',
  target: TARGET,
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
};

/**
 * 2. The command line: bundled with lazy chunks as ES modules into a scratch folder, then each
 * file turned into a minified CommonJS file (`.cjs`, so the package's "type" does not matter) at
 * its place under dist/main. Every `import()` becomes a `require` (no file of the command line is
 * an ES module), and `import.meta.url` the file's own URL, from which importMetaPlugin's rewrite
 * finds the module's per-file path as in the other bundles.
 */
async function buildCommandLine(out) {
  const scratch = join(out, '.cli-esm');
  const bundled = await build({
    ...common,
    // CommonJS has its own `require`; esbuild's `__require` finds it at run time.
    banner: {},
    entryPoints: [join(SRC, CLI_ENTRY)],
    outdir: scratch,
    outbase: SRC,
    splitting: true,
    chunkNames: 'cli-chunks/[name]-[hash]',
    outExtension: { '.js': '.cjs' },
    plugins: [...bundlePlugins(1), lazyChildProcessForCommander],
    metafile: true,
  });
  // esbuild names its outputs relative to the working folder.
  const files = Object.keys(bundled.metafile.outputs).filter((f) => f.endsWith('.cjs')).map((f) => join(process.cwd(), f));
  // A file that uses its URL gets it computed once as it loads; the others pay nothing for it.
  const usingUrl = new Set(files.filter((file) => readFileSync(file, 'utf8').includes('import.meta')));
  const toCommonJs = {
    ...MINIFIED_COMMONJS,
    outdir: out,
    outbase: scratch,
    outExtension: { '.js': '.cjs' },
    bundle: false,
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': '__ckImportMetaUrl' },
  };
  await build({
    ...toCommonJs,
    entryPoints: [...usingUrl],
    // The directive first: a banner before esbuild's own "use strict" would make that a plain string.
    banner: { js: '"use strict";var __ckImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  await build({ ...toCommonJs, entryPoints: files.filter((file) => !usingUrl.has(file)) });
  rmSync(scratch, { recursive: true, force: true });
  // What bin/curvekeep.js loads first, before any chunk: a file of its own (Node's modules only).
  await build({ ...MINIFIED_COMMONJS, entryPoints: [join(SRC, CLI_COMPILE_CACHE)], outfile: join(out, CLI_COMPILE_CACHE.replace(/\.ts$/, '.cjs')), bundle: true });
}

async function buildInto(out) {
  const all = sources(SRC);
  const entries = ENTRIES.map((e) => join(SRC, e)).filter((p) => existsSync(p));
  for (const entry of entries) {
    if (posix(relative(SRC, entry)).split('/').length !== 2) throw new Error(`${entry}: bundle entries must lie one folder below src-main`);
  }
  const workers = workerScripts(all);
  const preload = join(SRC, 'app', 'preload.ts');

  // 3. Every module on its own (the bundles and the preload replace theirs below).
  await build({
    entryPoints: all.filter((p) => p !== preload && !entries.includes(p)),
    outdir: out,
    outbase: SRC,
    format: 'esm',
    platform: 'node',
    target: TARGET,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // 1. The app's processes, with lazy chunks.
  await build({
    ...common,
    entryPoints: entries,
    outdir: out,
    outbase: SRC,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: bundlePlugins(1),
  });
  await buildCommandLine(out);
  // Workers: one standalone file each, at the path their starter names.
  for (const worker of workers) {
    const outfile = join(out, relative(SRC, worker).replace(/\.ts$/, '.js'));
    const depth = posix(relative(SRC, worker)).split('/').length - 1;
    await build({ ...common, entryPoints: [worker], outfile, plugins: bundlePlugins(depth) });
  }
  // 4. The preload.
  if (existsSync(preload)) {
    await build({
      entryPoints: [preload],
      outfile: join(out, 'app', 'preload.cjs'),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: TARGET,
      external: ['electron'],
      logLevel: 'warning',
    });
  }
}

mkdirSync(DIST, { recursive: true });
const temp = join(DIST, `.main-build-${process.pid}`);
const old = join(DIST, `.main-old-${process.pid}`);
rmSync(temp, { recursive: true, force: true });
try {
  await buildInto(temp);
  try {
    renameSync(OUT, old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  try {
    renameSync(temp, OUT);
  } catch (error) {
    // Another build renamed its output into place between our two renames: it is as good as ours.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}
