// The Electron security checklist, read from the sources (Electron cannot run here): the window's
// webPreferences from the syntax tree, the handlers and their order from the text, and
// electronegativity over all of src-main with no high finding and only reviewed medium ones.
//
// The checklist (electronjs.org/docs/latest/tutorial/security) and where each item is held:
//  1 secure content only, no remote content: app:// only; http(s)/ws/file requests cancelled (hardening.ts)
//  2 no Node integration / 3 context isolation / 4 sandbox (+ app.enableSandbox) / 6 webSecurity /
//  8 no insecure content / 9 no experimental features / 10 no enableBlinkFeatures: window.ts
//  5 permission request and check handlers, devices denied: hardening.ts + permissions.ts
//  7 CSP: shell/content-policy.ts (header from app:// and onHeadersReceived, meta tag from the vite build)
//  11-12 webviews: webviewTag false and will-attach-webview prevented
//  13 navigation / 14 new windows: will-navigate, will-frame-navigate, will-redirect, setWindowOpenHandler deny
//  15 openExternal: https links only, after origin.ts's externalLink
//  16 current Electron: electron@45
//  17 IPC senders validated: ipc/dispatch.ts (test/unit/ipc/dispatch.test.ts)
//  18 custom protocol instead of file://: app:// (privileged, standard, secure)
//  19 fuses: electron-builder.yml electronFuses (packaging.test.ts)
//  20 no Electron APIs exposed: the preload exposes one frozen { version, call }
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/shell/content-policy.js';

const root = join(import.meta.dirname, '..', '..', '..');
const appDir = join(root, 'src-main', 'app');
const read = (file: string) => readFileSync(join(appDir, file), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The object literals passed as `webPreferences` to `new BrowserWindow(...)` anywhere in src-main. */
function webPreferencesLiterals(): Array<{ file: string; props: Map<string, string> }> {
  const found: Array<{ file: string; props: Map<string, string> }> = [];
  for (const file of sourceFiles(join(root, 'src-main'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && node.expression.getText(source) === 'BrowserWindow') {
        const options = node.arguments?.[0];
        expect(options && ts.isObjectLiteralExpression(options), `${file}: BrowserWindow options must be a literal`).toBe(true);
        const prefs = (options as ts.ObjectLiteralExpression).properties.find((p) => p.name?.getText(source) === 'webPreferences');
        expect(prefs && ts.isPropertyAssignment(prefs) && ts.isObjectLiteralExpression(prefs.initializer), `${file}: webPreferences must be a literal`).toBe(true);
        const literal = (prefs as ts.PropertyAssignment).initializer as ts.ObjectLiteralExpression;
        const props = new Map<string, string>();
        for (const p of literal.properties) {
          expect(ts.isPropertyAssignment(p), `${file}: no spread or shorthand in webPreferences`).toBe(true);
          props.set(p.name!.getText(source), (p as ts.PropertyAssignment).initializer.getText(source));
        }
        found.push({ file: relative(root, file), props });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('window', () => {
  const windows = webPreferencesLiterals();

  it('is created in one place', () => {
    expect(windows.map((w) => w.file)).toEqual([join('src-main', 'app', 'window.ts')]);
  });

  it('isolates and sandboxes the page, without Node, with web security', () => {
    const props = windows[0]!.props;
    expect(props.get('contextIsolation')).toBe('true');
    expect(props.get('sandbox')).toBe('true');
    expect(props.get('nodeIntegration')).toBe('false');
    expect(props.get('nodeIntegrationInWorker')).toBe('false');
    expect(props.get('nodeIntegrationInSubFrames')).toBe('false');
    expect(props.get('webSecurity')).toBe('true');
    expect(props.get('allowRunningInsecureContent')).toBe('false');
    expect(props.get('experimentalFeatures')).toBe('false');
    expect(props.get('webviewTag')).toBe('false');
    expect(props.has('enableBlinkFeatures')).toBe(false);
    expect(props.get('devTools')).toBe('options.devTools');
    expect(read('main.ts')).toMatch(/devTools: !app\.isPackaged/);
  });

  it('loads only our own page, over app://, never http(s) or file://', () => {
    expect(read('window.ts')).toMatch(/loadURL\(APP_ENTRY_URL\)/);
    for (const file of sourceFiles(appDir)) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/loadURL\(\s*['"`](https?|file):/);
      expect(text, file).not.toMatch(/loadFile\(/);
    }
    const main = read('main.ts');
    expect(main.indexOf('registerSchemesAsPrivileged')).toBeLessThan(main.indexOf('whenReady'));
    // The scheme's privileges: a standard, secure origin; V8's code cache needs standard (Electron throws otherwise).
    const privileges = /registerSchemesAsPrivileged\(\[\{ scheme: APP_SCHEME, privileges: \{([^}]*)\} \}\]\)/.exec(main)?.[1] ?? '';
    expect(privileges.split(',').map((p) => p.trim()).sort()).toEqual(['codeCache: true', 'secure: true', 'standard: true', 'supportFetchAPI: true']);
    expect(main).toMatch(/protocol\.handle\(APP_SCHEME/);
  });
});

describe('main process', () => {
  const main = read('main.ts');
  const hardening = read('hardening.ts');

  it('is a single instance, sandboxes every renderer and shares the CLI data folder', () => {
    expect(main).toMatch(/requestSingleInstanceLock\(\)/);
    expect(main).toMatch(/app\.enableSandbox\(\)/);
    expect(main).toMatch(/const home = defaultHome\(\);\s*app\.setPath\('userData', home\)/);
    expect(main.indexOf("setPath('userData'")).toBeLessThan(main.indexOf('whenReady'));
  });

  it('hardens every web contents: navigation, redirects, new windows, webviews', () => {
    expect(main).toMatch(/app\.on\('web-contents-created', .*hardenWebContents\(contents/);
    expect(hardening).toMatch(/contents\.on\('will-navigate'/);
    expect(hardening).toMatch(/contents\.on\('will-frame-navigate'/);
    expect(hardening).toMatch(/contents\.on\('will-redirect'/);
    expect(hardening).toMatch(/contents\.on\('will-attach-webview', \(event\) => event\.preventDefault\(\)\)/);
    const opener = hardening.slice(hardening.indexOf('setWindowOpenHandler'));
    expect(opener.slice(0, opener.indexOf('});'))).toMatch(/return \{ action: 'deny' \};/);
    expect(opener.slice(0, opener.indexOf('});'))).not.toMatch(/action: 'allow'/);
  });

  it('opens outside links only after checking them', () => {
    const calls = sourceFiles(join(root, 'src-main')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/openExternal\(([^)]*)\)/g)].map((m) => `${relative(root, file)}: ${m[1]}`),
    );
    expect(calls.filter((c) => c.includes('shell.'))).toEqual([]);
    expect(main).toMatch(/shell\.openExternal\(url\)/);
    expect(hardening).toMatch(/const link = externalLink\(url\);\s*if \(link\) openExternal\(link\);/);
  });

  it('decides permissions itself: requests, checks, devices, downloads, remote requests, CSP header', () => {
    expect(main).toMatch(/hardenSession\(session\.defaultSession/);
    expect(hardening).toMatch(/setPermissionRequestHandler\(/);
    expect(hardening).toMatch(/setPermissionCheckHandler\(/);
    expect(hardening).toMatch(/setDevicePermissionHandler\(\(\) => false\)/);
    expect(hardening).toMatch(/'will-download', \(event\) => event\.preventDefault\(\)/);
    expect(hardening).toMatch(/onBeforeRequest\(\{ urls: REMOTE_URLS \}/);
    expect(hardening).toMatch(/onHeadersReceived\(.*\n(.*\n)*.*'Content-Security-Policy': \[CONTENT_SECURITY_POLICY\]/);
  });

  it('has one IPC handler, the dispatcher, and nothing listens to raw IPC', () => {
    const offenders = sourceFiles(join(root, 'src-main')).filter((file) => /ipcMain\.(on|once|handle|handleOnce|addListener)\(/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([join('src-main', 'ipc', 'dispatch.ts')]);
    expect(main).toMatch(/handleElectronCalls\(ipcMain, dispatcher/);
  });

  it('never uses the remote module or Node integration anywhere', () => {
    for (const file of sourceFiles(join(root, 'src-main'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/@electron\/remote|enableRemoteModule|nodeIntegration: true|contextIsolation: false|sandbox: false|webSecurity: false/);
    }
  });
});

describe('preload', () => {
  const preload = read('preload.ts');

  it('exposes one frozen object with call and version, never ipcRenderer', () => {
    expect([...preload.matchAll(/exposeInMainWorld\(/g)]).toHaveLength(1);
    expect(preload).toMatch(/exposeInMainWorld\('curvekeep', api\)/);
    expect(preload).toMatch(/const api: CurvekeepBridgeApi = Object\.freeze\(\{\s*version,\s*call\(/);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(preload).not.toMatch(/ipcRenderer\.(on|send|sendSync|postMessage)\(/);
    expect([...preload.matchAll(/ipcRenderer\.\w+/g)].map((m) => m[0])).toEqual(['ipcRenderer.invoke']);
  });
});

describe('electronegativity', () => {
  interface Finding {
    id: string;
    file: string;
    location: { line: number; column: number };
    severity: { name: string };
    description: string;
  }
  // Reviewed medium findings, each with why it stays:
  const REVIEWED = new Map([
    // The URL passed to shell.openExternal has passed origin.ts's externalLink (https only, no
    // credentials); see the 'opens outside links only after checking them' test above.
    ['OPEN_EXTERNAL_JS_CHECK app/main.ts', 'validated before the call'],
    // The preload exposes one frozen object with call(channel, args) over a single IPC channel whose
    // every call is checked by ipc/dispatch.ts; see the preload tests above.
    ['PRELOAD_JS_CHECK app/window.ts', 'reviewed: one frozen API object'],
  ]);

  it('finds nothing high, and no medium finding that has not been reviewed', async () => {
    // No request leaves the machine: at start electronegativity fetches its texts from S3 with
    // `got` (on Node 24 that failed with an unhandled error, offline). Its `got` is replaced, for
    // this run, by one that refuses at once; it then keeps the English texts it ships.
    const fromElectronegativity = createRequire(createRequire(import.meta.url).resolve('@doyensec/electronegativity'));
    fromElectronegativity('got');
    const got = fromElectronegativity.cache[fromElectronegativity.resolve('got')]!;
    const realGot: unknown = got.exports;
    const fetched: string[] = [];
    got.exports = { __esModule: true, default: (url: string) => (fetched.push(url), Promise.reject(new Error('no network in tests'))) };
    const log = console.log;
    console.log = () => undefined; // it says that it could not fetch the texts
    let result;
    try {
      const run = fromElectronegativity('@doyensec/electronegativity') as (options: object) => Promise<{ issues: Finding[]; errors: Array<{ file: string; message: string }>; atomicChecks: number }>;
      result = await run({
        input: join(root, 'src-main'),
        isRelative: true,
        electronVersionOverride: JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version,
        // Needs the network to list newer Electron releases; version upgrades are reviewed by hand.
        excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
      });
    } finally {
      console.log = log;
      got.exports = realGot;
    }
    expect(fetched).toEqual([expect.stringMatching(/^https:\/\/electronegativity-i18n\.s3\.[^/]+\.amazonaws\.com\//)]);
    expect(result.atomicChecks).toBeGreaterThan(20);
    expect(result.errors.filter((e) => !/tolerable/.test(e.message))).toEqual([]);
    const high = result.issues.filter((i) => i.severity.name === 'HIGH');
    expect(high.map((i) => `${i.id} ${i.file}:${i.location.line} ${i.description}`)).toEqual([]);
    const medium = result.issues.filter((i) => i.severity.name === 'MEDIUM').map((i) => `${i.id} ${i.file}`);
    expect(medium.filter((m) => !REVIEWED.has(m))).toEqual([]);
  }, 60_000);

  it("finds the CSP strong by electronegativity's own evaluator", () => {
    // Its CSP check cannot read a policy held in a constant (it reports "failed to parse", low), so
    // the same evaluator is run on the constant here.
    const csp = createRequire(createRequire(import.meta.url).resolve('@doyensec/electronegativity'))('@doyensec/csp-evaluator') as {
      CspParser: new (text: string) => { csp: unknown };
      CspEvaluator: new (csp: unknown, version: unknown) => { evaluate(): Array<{ severity: number; description: string; directive: string }> };
      Version: { CSP3: unknown };
      severities: Record<string, number>;
    };
    const findings = new csp.CspEvaluator(new csp.CspParser(CONTENT_SECURITY_POLICY).csp, csp.Version.CSP3).evaluate();
    const serious = findings.filter((f) => [csp.severities.HIGH, csp.severities.MEDIUM, csp.severities.HIGH_MAYBE].includes(f.severity));
    expect(serious.map((f) => `${f.directive}: ${f.description}`)).toEqual([]);
  });
});
