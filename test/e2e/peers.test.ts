// Peers view end to end: add by pasted key (and a refused key), import a pyzmq .key file and a
// qrencode PNG through the file input, verify a safety code (match and mismatch), disallow,
// remove after confirmation; then the camera: Chromium's fake camera plays a Y4M video of a QR
// code, the page decodes it with jsQR and the scanned peer is added.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublicKey } from '../../src-main/core/curve/keys.js';
import { safetyCode } from '../../src-main/core/curve/safety-code.js';
import { qrPayload } from '../../src-main/core/formats/qr/payload.js';
import { listPeers } from '../../src-main/core/peers/peers.js';
import { qrPng as qrPngIn, y4mOfPng } from './camera.js';
import { type E2eApp, ROOT, launchApp } from './harness.js';

// Keys and safety codes from test/fixtures/README.md.
const SENSOR_KEY_FILE = join(ROOT, 'test', 'fixtures', 'pyzmq', 'sensor-0042.key');
const SENSOR_KEY = 'v[3?5=7:2VbP31+KVGQG@&oqx{}n:=<YWEvnYGXk';
const SENSOR_CODE = '80240 15211 82945 64608 97434 76502';
const LAPTOP_KEY = '^vYZh+^[o^P9%zlwy2DFeB)AsDZscJz&[BgAUsuj';
const GATEWAY_KEY = 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ';
const BROKER_KEY = 'dvqM9b>lx#Y2qZghP$J2wJLb0a#EM3o^92vC?gK{';

let scratch: string;

/** A PNG of `payload` as qrencode draws it (8 px modules). */
const qrPng = (name: string, payload: string): string => qrPngIn(scratch, name, payload);

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'curvekeep-e2e-peers-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('Peers view', () => {
  let app: E2eApp;

  beforeAll(async () => {
    app = await launchApp('peers');
    await app.go('Peers');
  });

  afterAll(async () => {
    await app?.close();
  });

  const peerNames = async () => (await listPeers(app.workspace.ws)).map((p) => p.name).sort();
  const messages = () => app.page.getByRole('status', { name: 'Messages' });
  const options = () => app.page.getByRole('listbox', { name: 'Peers' }).getByRole('option');

  it('adds a peer by pasted key, and shows the refusal of a bad key from the main process', async () => {
    const { page } = app;
    await page.getByText('No peers yet.').waitFor();
    await page.getByRole('button', { name: 'Add peer…' }).click();
    const form = page.getByRole('form', { name: 'Add a peer by key' });
    await form.getByLabel('Name', { exact: true }).fill('field-laptop');
    await form.getByLabel(/^Public key/).fill(`${LAPTOP_KEY.slice(0, 39)}`);
    await form.getByRole('button', { name: 'Add peer' }).click();
    // The refusal shows next to the key field, in plain words (no internal code).
    const refusal = form.locator('[data-field-error-for="add-peer-key"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).not.toMatch(/invalid-key|invalid-input/);
    expect(await form.getByLabel(/^Public key/).getAttribute('aria-invalid')).toBe('true');
    expect(await peerNames()).toEqual([]);

    await form.getByLabel(/^Public key/).fill(LAPTOP_KEY);
    await form.getByLabel('Endpoint (optional)').fill('tcp://127.0.0.9:5555');
    await form.getByLabel('Allow this peer to connect').check();
    await form.getByRole('button', { name: 'Add peer' }).click();
    await page.getByRole('heading', { level: 2, name: 'field-laptop' }).waitFor();
    expect(await page.getByTestId('peer-public-key').textContent()).toBe(LAPTOP_KEY);
    expect(await page.getByTestId('peer-safety-code').textContent()).toBe(safetyCode(parsePublicKey(LAPTOP_KEY)));
    const [laptop] = await listPeers(app.workspace.ws);
    expect(laptop).toMatchObject({ name: 'field-laptop', publicKey: LAPTOP_KEY, allowed: true, endpoints: ['tcp://127.0.0.9:5555'] });
    await expect.poll(() => options().allInnerTexts()).toEqual([expect.stringMatching(/field-laptop[\s\S]*allowed[\s\S]*unverified/)]);
    app.expectClean();
  });

  it('imports a pyzmq .key file through the file input', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByLabel('Key file, inventory or QR image').setInputFiles(SENSOR_KEY_FILE);
    await messages().getByText(/Imported 1 peer: sensor-0042/).waitFor();
    await page.getByRole('heading', { level: 2, name: 'sensor-0042' }).waitFor();
    expect(await page.getByTestId('peer-safety-code').textContent()).toBe(SENSOR_CODE);
    const sensor = (await listPeers(app.workspace.ws)).find((p) => p.name === 'sensor-0042');
    expect(sensor).toMatchObject({ publicKey: SENSOR_KEY, allowed: false });
    app.expectClean();
  });

  it('imports a QR picture made by qrencode through the same upload', async () => {
    const { page } = app;
    const png = qrPng('gateway-07', qrPayload({ name: 'gateway-07', endpoint: 'tcp://127.0.0.7:5555', publicKey: parsePublicKey(GATEWAY_KEY) }));
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByLabel('Allow imported peers to connect').check();
    await page.getByLabel('Key file, inventory or QR image').setInputFiles(png);
    await messages().getByText(/Imported 1 peer: gateway-07/).waitFor();
    await page.getByRole('heading', { level: 2, name: 'gateway-07' }).waitFor();
    const gateway = (await listPeers(app.workspace.ws)).find((p) => p.name === 'gateway-07');
    expect(gateway).toMatchObject({ publicKey: GATEWAY_KEY, allowed: true, endpoints: ['tcp://127.0.0.7:5555'] });
    await expect.poll(() => options().count()).toBe(3);
    app.expectClean();
  });

  it('filters the list by name, key and safety code', async () => {
    const { page } = app;
    const filter = page.getByRole('searchbox', { name: 'Filter peers by name, key, safety code, endpoint or tag' });
    await filter.fill('sensor');
    await expect.poll(() => options().allInnerTexts()).toEqual([expect.stringContaining('sensor-0042')]);
    await filter.fill(GATEWAY_KEY.slice(5, 15));
    await expect.poll(() => options().allInnerTexts()).toEqual([expect.stringContaining('gateway-07')]);
    await filter.fill(SENSOR_CODE.replace(/ /g, '').slice(0, 12));
    await expect.poll(() => options().allInnerTexts()).toEqual([expect.stringContaining('sensor-0042')]);
    await filter.fill('no-such-peer');
    await page.getByText('No peer matches this filter.').waitFor();
    await filter.fill('');
    await expect.poll(() => options().count()).toBe(3);
    app.expectClean();
  });

  it('verifies a matching safety code and warns about a mismatch', async () => {
    const { page } = app;
    await options().filter({ hasText: 'sensor-0042' }).click();
    await page.getByRole('heading', { level: 2, name: 'sensor-0042' }).waitFor();
    const code = page.getByLabel('Safety code read out by the other side');
    await code.fill(SENSOR_CODE.replace(/ /g, ''));
    await page.getByLabel('Verified by (optional)').fill('Ana on the phone');
    await page.getByRole('button', { name: 'Compare codes' }).click();
    await expect.poll(() => page.getByTestId('verify-result').textContent()).toContain('The codes match');
    let sensor = (await listPeers(app.workspace.ws)).find((p) => p.name === 'sensor-0042')!;
    expect(sensor.verification).toMatchObject({ state: 'verified', by: 'Ana on the phone' });
    await expect.poll(() => options().filter({ hasText: 'sensor-0042' }).innerText()).toMatch(/verified/);

    await options().filter({ hasText: 'gateway-07' }).click();
    await page.getByRole('heading', { level: 2, name: 'gateway-07' }).waitFor();
    // The sensor's code, read out for the gateway: someone swapped the key.
    await page.getByLabel('Safety code read out by the other side').fill(SENSOR_CODE);
    await page.getByRole('button', { name: 'Compare codes' }).click();
    const warning = page.getByRole('alert').filter({ hasText: 'The codes do not match' });
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/someone may be in the middle/);
    await app.screenshot('peers-mismatch');
    const gateway = (await listPeers(app.workspace.ws)).find((p) => p.name === 'gateway-07')!;
    expect(gateway.verification.state).toBe('mismatch');
    expect(await page.getByTestId('peer-verification').textContent()).toMatch(/the codes did not match/);
    await expect.poll(() => options().filter({ hasText: 'gateway-07' }).innerText()).toMatch(/code mismatch/);
    sensor = (await listPeers(app.workspace.ws)).find((p) => p.name === 'sensor-0042')!;
    expect(sensor.verification.state).toBe('verified');
    app.expectClean();
  });

  it('moves through the list and the detail with the keyboard', async () => {
    const { page } = app;
    const list = page.getByRole('listbox', { name: 'Peers' });
    await list.focus();
    await page.keyboard.press('Home');
    await page.getByRole('heading', { level: 2, name: 'field-laptop' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.getByRole('heading', { level: 2, name: 'gateway-07' }).waitFor();
    // Tab reaches the detail's controls, each with its label.
    await page.getByLabel('Allow gateway-07 to connect').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('inputmode'))).toBe('numeric');
    app.expectClean();
  });

  it('disallows a peer and removes it only after confirmation', async () => {
    const { page } = app;
    const allow = page.getByLabel('Allow gateway-07 to connect');
    expect(await allow.isChecked()).toBe(true);
    await allow.uncheck();
    await messages().getByText('gateway-07 may no longer connect').waitFor();
    expect((await listPeers(app.workspace.ws)).find((p) => p.name === 'gateway-07')!.allowed).toBe(false);

    await page.getByRole('button', { name: 'Remove peer…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove gateway-07?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await peerNames()).toContain('gateway-07');

    await page.getByRole('button', { name: 'Remove peer…' }).click();
    await dialog.getByRole('button', { name: 'Remove peer' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => options().count()).toBe(2);
    expect(await peerNames()).toEqual(['field-laptop', 'sensor-0042']);
    app.expectClean();
  });

  it('refuses a Wi-Fi QR picture in plain words next to the file input, adding nothing', async () => {
    const { page } = app;
    const before = await peerNames();
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByLabel('Key file, inventory or QR image').setInputFiles(qrPng('guest-wifi', 'WIFI:T:WPA;S:plant-3-guest;P:hunter22;;'));
    const refusal = page.locator('[data-field-error-for="import-file"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/a Wi-Fi code, not a ZeroMQ key/);
    expect(await refusal.textContent()).not.toMatch(/column|unexpected|invalid-input|hunter22/);
    expect(await peerNames()).toEqual(before);
    await app.screenshot('peers-wifi-refused');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    app.expectClean();
  });

  it('warns when a peer is added with the key of another peer, in the detail and the list, and filters', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Add peer…' }).click();
    const form = page.getByRole('form', { name: 'Add a peer by key' });
    await form.getByLabel('Name', { exact: true }).fill('sensor-0042-again');
    await form.getByLabel(/^Public key/).fill(SENSOR_KEY);
    await form.getByRole('button', { name: 'Add peer' }).click();
    await page.getByRole('heading', { level: 2, name: 'sensor-0042-again' }).waitFor();
    const warning = page.getByTestId('same-key-warning');
    await expect.poll(() => warning.textContent()).toMatch(/Same key as peer sensor-0042\./);
    await messages().getByText(/sensor-0042-again has the same public key as peer sensor-0042/).waitFor();
    await expect.poll(() => options().filter({ hasText: 'sensor-0042' }).allInnerTexts()).toEqual([
      expect.stringMatching(/same key as another/),
      expect.stringMatching(/same key as another/),
    ]);
    await app.screenshot('peers-same-key');
    // The link to the other holder opens it.
    await warning.getByRole('link', { name: 'Open sensor-0042' }).click();
    // exact: 'sensor-0042' alone also names the heading of sensor-0042-again, still on the page.
    await page.getByRole('heading', { level: 2, name: 'sensor-0042', exact: true }).waitFor();
    await expect.poll(() => page.getByTestId('same-key-warning').textContent()).toMatch(/Same key as peer sensor-0042-again\./);
    // Filters run in the main process: verified ones, then not allowed and never tested.
    await page.getByRole('group', { name: 'Peer filters' }).getByLabel('Verified').selectOption('verified');
    await expect.poll(() => options().allInnerTexts()).toEqual([expect.stringContaining('sensor-0042')]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('group', { name: 'Peer filters' }).getByLabel('Allowed').selectOption('yes');
    await expect.poll(() => options().allInnerTexts()).toEqual([expect.stringContaining('field-laptop')]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => options().count()).toBe(3);
    app.expectClean();
  });

  it('says so when there is no camera to scan with', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByRole('button', { name: 'Scan with camera' }).click();
    const problem = page.getByRole('alert').filter({ hasText: /camera/i });
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/No camera was found|Camera access was denied/);
    await page.getByRole('button', { name: 'Close', exact: true }).first().click();
    app.expectClean();
  });
});

/** Records every stream getUserMedia hands the page, so that a test can see its tracks end. */
async function watchCameraStreams(app: E2eApp): Promise<void> {
  await app.page.evaluate(() => {
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia.bind(devices);
    const seen: MediaStream[] = [];
    (window as unknown as { __cameraStreams: MediaStream[] }).__cameraStreams = seen;
    devices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      seen.push(stream);
      return stream;
    };
  });
}

/** The readyState of every track the page was given ('live' or 'ended'). */
function cameraTracks(app: E2eApp): Promise<string[]> {
  return app.page.evaluate(() =>
    (window as unknown as { __cameraStreams: MediaStream[] }).__cameraStreams.flatMap((s) => s.getTracks().map((t) => `${t.kind}:${t.readyState}`)),
  );
}

describe('Peers view with a camera', () => {
  let app: E2eApp;

  beforeAll(async () => {
    const png = qrPng('plant-3-broker', qrPayload({ name: 'plant-3-broker', endpoint: 'tcp://127.3.0.1:7000', publicKey: parsePublicKey(BROKER_KEY) }));
    app = await launchApp('peers-camera', { fakeCamera: y4mOfPng(png), colorScheme: 'dark' });
    await app.go('Peers');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('scans a QR code from the camera, stops the camera and adds the peer', async () => {
    const { page } = app;
    await watchCameraStreams(app);
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByRole('button', { name: 'Scan with camera' }).click();
    await page.getByRole('heading', { level: 2, name: 'plant-3-broker' }).waitFor({ timeout: 15_000 });
    const [broker] = await listPeers(app.workspace.ws);
    expect(broker).toMatchObject({ name: 'plant-3-broker', publicKey: BROKER_KEY, endpoints: ['tcp://127.3.0.1:7000'], source: 'camera' });
    // The scanner is gone, the only stream asked for was video, and its track has ended.
    expect(await page.locator('video').count()).toBe(0);
    expect(await cameraTracks(app)).toEqual(['video:ended']);
    await page.getByRole('status', { name: 'Messages' }).getByText(/Imported 1 peer: plant-3-broker/).waitFor();
    await app.screenshot('peers-dark');
    app.expectClean();
  });
});

describe('Peers view with a camera that sees no code', () => {
  let app: E2eApp;

  beforeAll(async () => {
    const blank = join(scratch, 'blank.png');
    const png = new PNG({ width: 64, height: 48 });
    png.data.fill(255);
    writeFileSync(blank, PNG.sync.write(png));
    app = await launchApp('peers-camera-blank', { fakeCamera: y4mOfPng(blank) });
    await app.go('Peers');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('stops the camera when the user cancels the scan', async () => {
    const { page } = app;
    await watchCameraStreams(app);
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByRole('button', { name: 'Scan with camera' }).click();
    await page.getByText('Hold the QR code in front of the camera…').waitFor();
    expect(await cameraTracks(app)).toEqual(['video:live']);
    await app.screenshot('peers-scanning');
    await page.getByRole('button', { name: 'Cancel scan' }).click();
    await page.locator('video').waitFor({ state: 'detached' });
    expect(await cameraTracks(app)).toEqual(['video:ended']);
    expect(await listPeers(app.workspace.ws)).toEqual([]);
    app.expectClean();
  });
});
