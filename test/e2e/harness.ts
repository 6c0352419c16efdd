// End-to-end harness: the real renderer (dist/renderer) in Debian's Chromium, through the real
// browser bridge (dist/main/bridge/serve.js) over a fresh data folder and a keychain service of
// its own. Build first: `npm run -s build:main && npx vite build`; run inside
// `node scripts/with-keychain.mjs`. Every page's console errors, uncaught exceptions, failed
// requests and CSP violations are collected, so that each test can assert there were none.
//
//   const app = await launchApp('keys');           // bridge + browser + page, opened on the UI
//   await app.page.getByRole('link', { name: 'Keys' }).click();
//   await app.screenshot('keys-list');             // test-results/screenshots/keys-list.png
//   app.expectClean();                             // no console error, no CSP violation
//   await app.close();                             // kills the bridge, deletes keychain items
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Locator, type Page, type Request, chromium } from 'playwright-core';
import { type TestWorkspace, testWorkspace } from '../helpers/workspace.js';
import { CHROMIUM_ARGS } from './chromium-args.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const SERVE = join(ROOT, 'dist', 'main', 'bridge', 'serve.js');
const RENDERER_INDEX = join(ROOT, 'dist', 'renderer', 'index.html');

export const CHROMIUM_PATH = process.env.CURVEKEEP_CHROMIUM ?? '/usr/bin/chromium';

const BRIDGE_START_TIMEOUT_MS = 15_000;
const BRIDGE_STOP_TIMEOUT_MS = 5_000;

export interface RunningBridgeProcess {
  /** http://127.0.0.1:PORT/?token=... as the bridge printed it. */
  readonly pageUrl: string;
  readonly origin: string;
  readonly child: ChildProcess;
  /** What the bridge wrote to stderr (refusals, internal errors). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `node dist/main/bridge/serve.js` over this workspace and waits for its UI line. */
export async function startBridgeProcess(workspace: TestWorkspace): Promise<RunningBridgeProcess> {
  if (!existsSync(SERVE)) throw new Error(`${SERVE} is missing: run \`npm run build:main\` first`);
  if (!existsSync(RENDERER_INDEX)) throw new Error(`${RENDERER_INDEX} is missing: run \`npx vite build\` first`);
  const child = spawn(process.execPath, [SERVE], { env: workspace.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const pageUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the bridge printed no UI line within ${BRIDGE_START_TIMEOUT_MS} ms; stderr: ${err}`));
    }, BRIDGE_START_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /^UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the bridge exited (${code ?? signal}) before printing its UI line; stderr: ${err}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), BRIDGE_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return { pageUrl, origin: new URL(pageUrl).origin, child, stderr: () => err, stop };
}

export interface LaunchOptions {
  /** 'light' or 'dark' for prefers-color-scheme. */
  readonly colorScheme?: 'light' | 'dark';
  readonly viewport?: { readonly width: number; readonly height: number };
  /**
   * A .y4m or .mjpeg file that Chromium's fake camera plays (for webcam QR scanning); the camera
   * permission is then granted to the bridge origin.
   */
  readonly fakeCamera?: string;
  /** Seed the data folder through the core before the bridge starts. */
  readonly seed?: (workspace: TestWorkspace) => Promise<void>;
  /** Open the page (default true). */
  readonly open?: boolean;
}

/** Something the page did that a test must not tolerate. */
export interface PageProblem {
  readonly kind: 'console-error' | 'page-error' | 'csp-violation' | 'request-failed';
  readonly text: string;
}

export interface E2eApp {
  readonly workspace: TestWorkspace;
  /** The data folder the bridge serves. */
  readonly home: string;
  /** The keychain service of this run. */
  readonly keychainService: string;
  /** Environment for a CLI child process over the same data folder and keychain. */
  readonly env: NodeJS.ProcessEnv;
  readonly bridge: RunningBridgeProcess;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Opens the UI (again) in `page`, waiting for the app frame. */
  open(path?: string): Promise<void>;
  /** Goes to a view by its sidebar label ("Keys", "Peers", ...). */
  go(label: string): Promise<void>;
  /** Saves a screenshot of the page or of one element to test-results/screenshots/NAME.png. */
  screenshot(name: string, target?: Locator): Promise<string>;
  /** Everything that went wrong in the page so far. */
  problems(): ReadonlyArray<PageProblem>;
  /** Throws, listing them, when the page logged an error or violated the CSP. */
  expectClean(): void;
  /** Stops the browser and the bridge, deletes the keychain items and the data folder. */
  close(): Promise<void>;
}

let launched = 0;
/** The apps open now, for the failure report (test/e2e/on-failure.ts). */
const liveApps = new Set<E2eApp>();

/**
 * What a failed test needs to be understood from a CI log alone: for each open app, the page's
 * address and view, its status messages and alerts, the page's problems and the end of the
 * bridge's stderr. No secret is on the page or in the bridge's output, so none is printed.
 */
export async function describeLiveApps(): Promise<string> {
  const parts: string[] = [];
  for (const app of liveApps) {
    const { page } = app;
    const view = await page.locator('main').getAttribute('data-view-label', { timeout: 1_000 }).catch(() => '?');
    const messages = await page.locator('[role="status"], [role="alert"]').allInnerTexts().catch(() => []);
    const text = await page.locator('main').innerText({ timeout: 1_000 }).catch(() => '?');
    parts.push(
      [
        `app over ${app.home}: page ${page.url().replace(/token=[^&#]+/, 'token=…')}, view ${view ?? '?'}`,
        `  messages: ${JSON.stringify(messages.map((m) => m.trim()).filter(Boolean))}`,
        `  view text (start): ${JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 1_500))}`,
        `  problems: ${app.problems().length === 0 ? 'none' : `\n${describeProblems(app.problems())}`}`,
        `  bridge stderr (end): ${app.bridge.stderr().slice(-2_000) || '(empty)'}`,
      ].join('\n'),
    );
  }
  return parts.join('\n');
}

/** The live refresh's long poll: always pending while a view listens, so never "network activity". */
const isLongPoll = (url: string) => url.includes('/ipc/changes.wait');
const QUIET_MS = 500;

/**
 * `page.waitForLoadState('networkidle')` as tests mean it: no request in flight for 500 ms, the
 * live refresh's long poll (`changes.wait`, pending up to 25 s by design) not counted. Chromium's
 * own network-idle would wait for it; every other load state is Playwright's.
 */
function quietExceptLiveRefresh(page: Page): void {
  const inFlight = new Set<unknown>();
  let lastChange = Date.now();
  const start = (request: { url(): string }) => {
    if (isLongPoll(request.url())) return;
    inFlight.add(request);
    lastChange = Date.now();
  };
  const end = (request: unknown) => {
    if (inFlight.delete(request)) lastChange = Date.now();
  };
  page.on('request', start);
  page.on('requestfinished', end);
  page.on('requestfailed', end);
  const original = page.waitForLoadState.bind(page);
  page.waitForLoadState = async (state, options) => {
    if (state !== 'networkidle') return original(state, options);
    await original('load', options);
    const deadline = Date.now() + (options?.timeout ?? 10_000);
    for (;;) {
      if (inFlight.size === 0 && Date.now() - lastChange >= QUIET_MS) return;
      if (Date.now() > deadline) throw new Error(`the page was not quiet for ${QUIET_MS} ms within the timeout (${inFlight.size} request(s) in flight)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
}

function describeProblems(problems: ReadonlyArray<PageProblem>): string {
  return problems.map((p) => `  ${p.kind}: ${p.text}`).join('\n');
}

/** Starts a bridge over a fresh workspace and opens the UI in a fresh Chromium. */
export async function launchApp(label: string, options: LaunchOptions = {}): Promise<E2eApp> {
  const workspace = testWorkspace(`e2e-${label}-${++launched}`);
  let bridge: RunningBridgeProcess | undefined;
  let browser: Browser | undefined;
  try {
    if (options.seed) await options.seed(workspace);
    bridge = await startBridgeProcess(workspace);
    const args = [...CHROMIUM_ARGS];
    if (options.fakeCamera) {
      args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeCamera}`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args });
    const context = await browser.newContext({
      viewport: options.viewport ? { ...options.viewport } : { width: 1280, height: 860 },
      colorScheme: options.colorScheme ?? 'light',
      acceptDownloads: false,
      ...(options.fakeCamera ? { permissions: ['camera'] } : {}),
    });
    const problems: PageProblem[] = [];
    // Reported from the page by the init script below; exposed before any page script runs.
    await context.exposeBinding('__curvekeepCspViolation', (_source, text: string) => {
      problems.push({ kind: 'csp-violation', text });
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const report = (window as unknown as { __curvekeepCspViolation?: (text: string) => void }).__curvekeepCspViolation;
        report?.(`${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`);
      });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    quietExceptLiveRefresh(page);
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push({ kind: 'console-error', text: message.text() });
    });
    page.on('pageerror', (error) => problems.push({ kind: 'page-error', text: `${error.name}: ${error.message}` }));
    // A request the page made before the test navigated or reloaded it, cut by that navigation
    // (the live refresh's long poll, a view's reads still on their way), is not a problem; one
    // that fails otherwise is.
    const startedAt = new WeakMap<Request, number>();
    let navigatedAt = -1;
    let sequence = 0;
    page.on('request', (request) => {
      startedAt.set(request, ++sequence);
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigatedAt = sequence;
    });
    page.on('requestfailed', (request) => {
      const failure = request.failure()?.errorText ?? '?';
      if (failure === 'net::ERR_ABORTED' && (startedAt.get(request) ?? Infinity) < navigatedAt) return;
      problems.push({ kind: 'request-failed', text: `${request.method()} ${request.url()}: ${failure}` });
    });

    const runningBridge = bridge;
    const runningBrowser = browser;
    const app: E2eApp = {
      workspace,
      home: workspace.home,
      keychainService: workspace.service,
      env: workspace.env,
      bridge: runningBridge,
      browser: runningBrowser,
      context,
      page,
      async open(path = '/') {
        const url = new URL(runningBridge.pageUrl);
        url.pathname = path;
        await page.goto(url.href);
        await page.locator('[data-app-ready="true"]').waitFor({ timeout: 10_000 });
      },
      async go(label: string) {
        await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: label, exact: true }).click();
        await page.locator(`main[data-view-label="${label}"]`).waitFor({ timeout: 10_000 });
      },
      async screenshot(name: string, target?: Locator) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        const path = join(SCREENSHOTS, `${name}.png`);
        if (target) await target.screenshot({ path, animations: 'disabled' });
        else await page.screenshot({ path, fullPage: true, animations: 'disabled' });
        return path;
      },
      problems: () => [...problems],
      expectClean() {
        if (problems.length > 0) throw new Error(`the page had ${problems.length} problem(s):\n${describeProblems(problems)}`);
      },
      async close() {
        liveApps.delete(app);
        await runningBrowser.close().catch(() => undefined);
        await runningBridge.stop();
        await workspace.cleanup();
      },
    };
    liveApps.add(app);
    if (options.open !== false) await app.open();
    return app;
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await bridge?.stop();
    await workspace.cleanup();
    throw error;
  }
}
