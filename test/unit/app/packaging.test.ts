// electron-builder.yml against electron-builder's own schema (with the ajv and js-yaml that
// app-builder-lib uses), the security fuses, the macOS camera entitlement, the native modules
// outside the archive, the bridge kept out of the package, and the icon set.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);
// The very modules app-builder-lib loads (its own copies where it has them).
const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));
const yaml = builderRequire('js-yaml') as { load(text: string): unknown };
const Ajv = builderRequire('ajv').default as new (options: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params: object }> | null };
};
const { minimatch } = builderRequire('minimatch') as { minimatch: (path: string, pattern: string, options?: object) => boolean };

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  mac: { target: string; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string; extendInfo: Record<string, string>; icon: string };
  linux: { target: string[]; icon: string };
  win: { target: string; icon: string };
}

const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** electron-builder's `files` rule: the last matching pattern wins, `!` excludes. */
function packaged(path: string): boolean {
  let included = false;
  for (const pattern of config.files) {
    const negated = pattern.startsWith('!');
    if (minimatch(path, negated ? pattern.slice(1) : pattern, { dot: true })) included = !negated;
  }
  return included;
}

describe('electron-builder.yml', () => {
  it('validates against app-builder-lib/scheme.json', () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('a broken config does not validate (the check can fail)', () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNodeTypo: false } })).toBe(false);
    expect(validate({ ...config, mac: { ...config.mac, hardenedRuntime: 'yes' } })).toBe(false);
  });

  it('names the app', () => {
    expect(config.appId).toBe('dev.curvekeep.app');
    expect(config.productName).toBe('Curvekeep');
  });

  it('sets the fuses the Electron security checklist recommends', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('builds an AppImage and a deb, a hardened dmg with the camera, an NSIS installer', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toBe('nsis');
    expect(config.mac.target).toBe('dmg');
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/camera.*QR/i);
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const plist = readFileSync(join(root, file), 'utf8');
      expect(plist).toMatch(/<key>com\.apple\.security\.device\.camera<\/key>\s*<true\/>/);
      expect(plist).not.toMatch(/disable-library-validation|allow-dyld-environment-variables|device\.audio-input/);
    }
  });

  it('packages the main process and renderer, and never the bridge or source maps', () => {
    for (const path of ['package.json', 'dist/main/app/main.js', 'dist/main/app/preload.cjs', 'dist/main/ipc/dispatch.js', 'dist/main/core/workspace.js', 'dist/renderer/index.html', 'dist/renderer/assets/index.js']) {
      expect(packaged(path), path).toBe(true);
    }
    for (const path of ['dist/main/bridge/serve.js', 'dist/main/bridge/serve.js.map', 'dist/main/bridge/anything/else.js', 'dist/main/app/main.js.map', 'src-main/app/main.ts', 'test/unit/app/packaging.test.ts', 'bench/run.mjs', 'assets/make-icons.mjs']) {
      expect(packaged(path), path).toBe(false);
    }
  });

  it('keeps every native module of zeromq, keytar and sodium-native outside the archive', () => {
    const nativeFiles = (dir: string): string[] =>
      existsSync(dir)
        ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? nativeFiles(join(dir, e.name)) : e.name.endsWith('.node') ? [join(dir, e.name)] : []))
        : [];
    const found = [
      ...nativeFiles(join(root, 'node_modules', 'zeromq')),
      ...nativeFiles(join(root, 'node_modules', '@github', 'keytar')),
      ...nativeFiles(join(root, 'node_modules', 'sodium-native')),
    ];
    expect(found.filter((file) => file.includes('sodium-native')).length).toBeGreaterThan(0);
    for (const file of found) {
      const path = relative(root, file).split(sep).join('/');
      expect(config.asarUnpack.some((pattern) => minimatch(path, pattern, { dot: true })), path).toBe(true);
    }
  });
});

describe('sodium-native in the package', () => {
  const excluded = (path: string): boolean =>
    config.files.some((pattern) => pattern.startsWith('!') && minimatch(path, pattern.slice(1), { dot: true }));

  it('leaves out the Bare runtime\'s builds and the C source, and keeps the Node binaries', () => {
    for (const path of ['node_modules/sodium-native/prebuilds/linux-x64/sodium-native.bare', 'node_modules/sodium-native/binding.cc', 'node_modules/sodium-native/extensions/pbkdf2/pbkdf2.c']) {
      expect(excluded(path), path).toBe(true);
    }
    for (const path of ['node_modules/sodium-native/prebuilds/linux-x64/sodium-native.node', 'node_modules/sodium-native/package.json', 'node_modules/sodium-native/index.js']) {
      expect(excluded(path), path).toBe(false);
    }
  });
});

describe('icons', () => {
  it('has the SVG source and a PNG for every size from 16 to 1024', () => {
    expect(readFileSync(join(root, 'assets', 'icon.svg'), 'utf8')).toMatch(/<svg[^>]*viewBox="0 0 1024 1024"/);
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      const png = PNG.sync.read(readFileSync(join(root, 'assets', 'icons', `${size}x${size}.png`)));
      expect([png.width, png.height]).toEqual([size, size]);
    }
    const main = PNG.sync.read(readFileSync(join(root, config.mac.icon)));
    expect([main.width, main.height]).toEqual([1024, 1024]);
    expect(config.linux.icon).toBe('assets/icons');
    expect(existsSync(join(root, config.win.icon))).toBe(true);
  });
});

describe('npm start without the Electron binary', () => {
  it('says what is missing and how to get it, and exits 3', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const empty = mkdtempSync(join(tmpdir(), 'curvekeep-no-electron-'));
    try {
      // An override that names no binary: the same answer on machines that do have Electron.
      const run = spawnSync(process.execPath, [join(root, 'scripts', 'start-electron.mjs')], {
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(3);
      expect(run.stderr).toMatch(/Electron binary/);
      expect(run.stderr).toMatch(/npx install-electron/);
      expect(run.stderr).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD/);
      expect(run.stdout).toBe('');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
