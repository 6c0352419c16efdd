// The Pins view in Chromium through the bridge: pins computed from an uploaded certificate file
// and from a live `openssl s_server` on 127.0.0.1 (a private PKI), a pin set saved with a backup
// key made in the view, and the check report with its findings, a match and a mismatch; a server
// that speaks only TLS 1.0 with a 1024-bit, SHA-1 signed leaf gets a report with those findings.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPinSet } from '../../src-main/core/pins/pin-set.js';
import { type Pki, type RunningServer, buildPki, opensslPin, startOpensslServer } from '../helpers/pki/pki.js';
import { type E2eApp, launchApp } from './harness.js';

let pki: Pki;
let server: RunningServer;
let legacyServer: RunningServer;
let app: E2eApp;
const strangerPin = `sha256/${randomBytes(32).toString('base64')}`;
const strangerBackup = `sha256/${randomBytes(32).toString('base64')}`;

beforeAll(async () => {
  pki = buildPki();
  server = await startOpensslServer(pki.leaves.ec256, pki.intermediateCert);
  const weakLeaf = pki.extraLeaf('weak', { key: 'rsa1024', md: 'sha1' });
  legacyServer = await startOpensslServer(weakLeaf, pki.intermediateCert, ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0']);
  // A set for "localhost" that the server's chain does not match.
  app = await launchApp('pins', { seed: async (tws) => void (await setPinSet(tws.ws, { host: 'localhost', pins: [strangerPin], backupPins: [strangerBackup] })) });
  await app.go('Pins');
});

afterAll(async () => {
  await app?.close();
  await server?.stop();
  await legacyServer?.stop();
  pki?.remove();
});

describe('Pins view', () => {
  it('computes the pins of an uploaded chain file as openssl does', async () => {
    const { page } = app;
    const form = page.getByRole('form', { name: 'Compute from a certificate file' });
    await form.getByLabel(/Certificate file/).setInputFiles(pki.leaves.ec256.bundle);
    await form.getByRole('button', { name: 'Compute from file' }).click();
    const table = page.locator('table.chain').first();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    expect(await table.locator('tr[data-role="leaf"] [data-pin]').textContent()).toBe(opensslPin(pki.leaves.ec256.cert));
    expect(await table.locator('tr[data-role="intermediate"] [data-pin]').textContent()).toBe(opensslPin(pki.intermediateCert));
    await app.screenshot('pins-from-file');
    app.expectClean();
  });

  it('reads the live chain, saves a pin set with a backup key, and the check matches', async () => {
    const { page } = app;
    const live = page.getByRole('form', { name: 'Compute from a live host' });
    await live.getByLabel('Host and port').fill(`127.0.0.1:${server.port}`);
    await live.getByRole('button', { name: 'Compute from host' }).click();
    const leafRow = page.locator('table.chain tr[data-role="leaf"]');
    await expect.poll(() => leafRow.locator('[data-pin]').textContent()).toBe(opensslPin(pki.leaves.ec256.cert));
    await leafRow.getByRole('button', { name: /Use the pin of the leaf/ }).click();

    const newSet = page.getByRole('form', { name: 'New pin set' });
    expect(await newSet.getByLabel(/^Host/).inputValue()).toBe('127.0.0.1');
    // No backup pin yet: refused in the view, nothing saved.
    await newSet.getByRole('button', { name: 'Save pin set' }).click();
    await expect.poll(() => newSet.getByRole('alert').textContent()).toMatch(/backup pin/);
    await newSet.getByRole('button', { name: 'Make a backup key' }).click();
    await expect.poll(() => newSet.getByLabel(/Backup pins/).inputValue()).toMatch(/^sha256\/.{44}$/);
    await newSet.getByRole('button', { name: 'Save pin set' }).click();
    await page.locator('table.sets tr[data-host="127.0.0.1"]').waitFor();

    const check = page.getByRole('form', { name: 'Check a live endpoint' });
    expect(await check.getByLabel('Host and port').inputValue()).toBe(`127.0.0.1:${server.port}`);
    await check.getByRole('button', { name: 'Check' }).click();
    const report = page.locator('section.report');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.locator('[data-pin-verdict]').getAttribute('data-pin-verdict')).toBe('match');
    // The private root is not trusted by this machine: an error finding, so the check fails.
    expect(await report.locator('li[data-severity="error"]').allTextContents()).toContainEqual(expect.stringMatching(/chain-trust.*not trusted/));
    expect(await report.getAttribute('data-check-ok')).toBe('false');
    await app.screenshot('pins-check-match');

    await page.locator('table.sets tr[data-host="127.0.0.1"]').getByRole('button', { name: /Export/ }).click();
    await expect.poll(() => page.locator('pre[data-export]').textContent()).toContain('CertificatePinner');
    app.expectClean();
  });

  it('shows a mismatch with the chain pins beside the pinned ones', async () => {
    const { page } = app;
    const check = page.getByRole('form', { name: 'Check a live endpoint' });
    await check.getByLabel('Host and port').fill(`localhost:${server.port}`);
    await check.getByLabel(/Probe TLS 1.0/).uncheck();
    await check.getByRole('button', { name: 'Check' }).click();
    const mismatch = page.getByRole('group', { name: 'Pin mismatch' });
    await mismatch.waitFor({ timeout: 30_000 });
    const text = (await mismatch.textContent()) ?? '';
    expect(text).toContain(opensslPin(pki.leaves.ec256.cert));
    expect(text).toContain(strangerPin);
    expect(text).toContain(strangerBackup);
    await app.screenshot('pins-check-mismatch');
    app.expectClean();
  });

  it('a TLS 1.0-only server with a 1024-bit SHA-1 leaf gets a report with error findings in the severity colours', async () => {
    const { page } = app;
    const check = page.getByRole('form', { name: 'Check a live endpoint' });
    await check.getByLabel('Host and port').fill(`127.0.0.1:${legacyServer.port}`);
    await check.getByLabel(/Probe TLS 1.0/).check();
    await check.getByRole('button', { name: 'Check' }).click();
    const report = page.locator('section.report');
    await expect.poll(() => report.locator('li[data-code="legacy-only"]').count(), { timeout: 30_000 }).toBe(1);
    expect(await report.getAttribute('data-check-ok')).toBe('false');
    expect(await report.getByRole('alert').textContent()).toContain('refused TLS 1.2 and 1.3');
    const row = (code: string) => report.locator(`li[data-code="${code}"]`);
    expect(await row('legacy-only').getAttribute('data-severity')).toBe('error');
    expect(await row('legacy-only').textContent()).toContain('speaks only TLS 1.0');
    expect(await row('weak-key').getAttribute('data-severity')).toBe('error');
    expect(await row('weak-key').textContent()).toMatch(/CN=weak\.test.*rsa 1024 key, below 2048 bits/);
    expect(await row('weak-signature').textContent()).toMatch(/CN=weak\.test.*ecdsa-with-SHA1/);
    expect(await row('cbc-cipher').getAttribute('data-severity')).toBe('warning');
    // The badges carry the colours every view uses: danger for errors, warn for warnings.
    expect(await row('weak-key').locator('.badge').getAttribute('class')).toContain('danger');
    expect(await row('cbc-cipher').locator('.badge').getAttribute('class')).toContain('warn');
    // What to do, beside what was found.
    expect(await row('weak-key').locator('.advice').textContent()).toContain('at least 2048 bits');
    expect(await report.locator('table.chain tr[data-role="leaf"] [data-pin]').textContent()).toBe(opensslPin(pki.dir + '/weak.pem'));
    await report.locator('ul.findings').scrollIntoViewIfNeeded();
    await app.screenshot('pins-check-legacy-weak');
    app.expectClean();
  });
});
