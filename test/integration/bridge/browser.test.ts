// The renderer's contract client in Debian's Chromium against the real bridge: it calls through
// the bridge with the token from the page URL and then removes the token from the address bar;
// the CSP blocks inline script; a page on another origin cannot call the bridge.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY_META } from '../../../src-main/shell/content-policy.js';
import { type RunningBridge, startBridge } from '../../../src-main/bridge/serve.js';

const root = join(import.meta.dirname, '..', '..', '..');
let home: string;
let rendererRoot: string;
let bridge: RunningBridge;
let browser: Browser;

// A stand-in page: the real contract client, bundled as the renderer build would bundle it.
const ENTRY = `
import { createContractClient, CallError } from ${JSON.stringify(join(root, 'src-renderer', 'lib', 'contract-client.ts'))};
const client = createContractClient();
const out = {};
try { out.info = await client.call('app.info', {}); } catch (e) { out.infoError = String(e); }
try { await client.call('keys.show', { ref: 'nobody' }); } catch (e) { out.missing = e instanceof CallError ? { code: e.code, channel: e.channel } : String(e); }
try { await client.call('keys.nothing', {}); } catch (e) { out.unknown = e instanceof CallError ? e.code : String(e); }
try { out.eval = (0, eval)('1 + 1'); } catch { out.eval = 'blocked'; }
try { out.fn = new Function('return 2')(); } catch { out.fn = 'blocked'; }
out.search = location.search;
out.stored = sessionStorage.getItem('curvekeep.bridgeToken') !== null;
out.preload = typeof window.curvekeep;
document.body.dataset.result = JSON.stringify(out);
`;

beforeAll(async () => {
  process.env.CURVEKEEP_KEYCHAIN_SERVICE = `curvekeep-test-browser-${process.pid}`;
  home = mkdtempSync(join(tmpdir(), 'curvekeep-browser-home-'));
  rendererRoot = mkdtempSync(join(tmpdir(), 'curvekeep-browser-renderer-'));
  mkdirSync(join(rendererRoot, 'assets'));
  const entry = join(rendererRoot, 'entry.ts');
  writeFileSync(entry, ENTRY);
  await build({ entryPoints: [entry], bundle: true, format: 'esm', target: 'es2022', outfile: join(rendererRoot, 'assets', 'client.js'), logLevel: 'error' });
  writeFileSync(
    join(rendererRoot, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY_META}">
<title>Curvekeep</title>
<script>window.inlineRan = true;</script>
<script type="module" src="/assets/client.js"></script></head><body></body></html>`,
  );
  bridge = await startBridge({ home, rendererRoot, appVersion: '0.0.0-test', log: () => undefined });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(rendererRoot, { recursive: true, force: true });
});

describe('contract client in Chromium through the bridge', () => {
  it('calls with the token from the URL, then takes the token out of the address bar', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') violations.push(message.text());
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await page.goto(bridge.pageUrl, { timeout: 15_000 });
    await page.waitForSelector('body[data-result]', { state: 'attached', timeout: 15_000 });
    const result = JSON.parse((await page.getAttribute('body', 'data-result'))!) as Record<string, unknown>;
    expect(result.info).toMatchObject({ name: 'Curvekeep', shell: 'bridge', dataFolder: home });
    expect(result.missing).toEqual({ code: 'not-found', channel: 'keys.show' });
    expect(result.unknown).toBe('unknown-channel');
    expect(result.search).toBe('');
    expect(result.stored).toBe(true);
    expect(result.preload).toBe('undefined');
    expect(page.url()).toBe(`${bridge.origin}/`);
    expect(page.url()).not.toContain(bridge.token);

    // The CSP stopped the inline script, and said so.
    expect(await page.evaluate(() => (globalThis as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
    expect(violations.some((v) => /Content Security Policy/.test(v))).toBe(true);
    // Our own headers and meta tag are understood as written (no "unrecognized feature" warnings).
    expect(warnings.filter((w) => /Permissions-Policy|Content Security Policy|Referrer/.test(w))).toEqual([]);
    // And eval in the page's own script (page.evaluate would bypass the CSP).
    expect([result.eval, result.fn]).toEqual(['blocked', 'blocked']);

    // After a reload the token comes from this tab's storage, not the URL.
    await page.reload();
    await page.waitForSelector('body[data-result]', { state: 'attached', timeout: 15_000 });
    const again = JSON.parse((await page.getAttribute('body', 'data-result'))!) as Record<string, unknown>;
    expect(again.info).toMatchObject({ shell: 'bridge' });
    await page.close();
  }, 60_000);

  it('does not answer a page of another origin, even one that knows the token', async () => {
    const page = await browser.newPage();
    // localhost:PORT is another origin (and another Host) than 127.0.0.1:PORT.
    const response = await page.goto(`http://localhost:${bridge.port}/?token=${bridge.token}`, { timeout: 15_000 });
    expect(response?.status()).toBe(403);
    const status = await page.evaluate(
      async ([port, token]) => {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/ipc/app.info`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-curvekeep-token': token! }, body: '{}' });
          return r.status;
        } catch {
          return 'blocked';
        }
      },
      [String(bridge.port), bridge.token],
    );
    // Either the browser refuses the cross-origin request (no CORS) or the bridge does.
    expect(status === 'blocked' || status === 403).toBe(true);
    await page.close();
  }, 60_000);
});
