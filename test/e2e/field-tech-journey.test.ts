// The field tech's journey (issue 13), in Chromium through the bridge against the real core,
// keychain and CURVE servers on 127.0.0.1: scan the gateway's QR code with the camera, compare its
// safety code with the one its owner reads out, test the link from the peer's detail as our own
// client identity (the default, nothing to choose) and see it pass. Then the failing cases, each
// verdict card's button doing its next step: a peer held with a stale key (wrong server key:
// "Re-import the key" opens the replace flow with both safety codes; after it the test passes) and
// a gateway whose allowlist lacks us (rejected: "Show the QR code" shows our public key, which
// zbarimg reads). And `#/peers/ID/test`, the Overview's "test this peer", starts the test itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { safetyCode } from '../../src-main/core/curve/safety-code.js';
import { qrPayload } from '../../src-main/core/formats/qr/payload.js';
import { adoptIdentity } from '../../src-main/core/identities/identities.js';
import { type Responder, startResponder } from '../../src-main/core/link/responder.js';
import { addPeer, listPeers } from '../../src-main/core/peers/peers.js';
import { qrPng, y4mOfPng } from './camera.js';
import { type E2eApp, launchApp } from './harness.js';

const laptop = generateKeyPair(); // the tech's own client identity
const gateway = generateKeyPair(); // plant-3-gw, admits the laptop
const moved = generateKeyPair(); // edge-07's new key; we still hold a stale one
const stale = generateKeyPair();
const strict = generateKeyPair(); // strict-gw, admits nobody we have

let scratch: string;
let gw: Responder;
let edge: Responder;
let strictGw: Responder;
let app: E2eApp;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'curvekeep-e2e-field-tech-'));
  gw = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server: gateway, allow: [{ publicKey: laptop.publicKey, name: 'tech-laptop' }] });
  edge = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server: moved, allow: [{ publicKey: laptop.publicKey, name: 'tech-laptop' }] });
  strictGw = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server: strict, allow: [] });
  const png = qrPng(scratch, 'plant-3-gw', qrPayload({ name: 'plant-3-gw', endpoint: gw.endpoint, publicKey: gateway.publicKey }));
  app = await launchApp('field-tech', {
    fakeCamera: y4mOfPng(png),
    viewport: { width: 1280, height: 800 },
    seed: async (tws) => {
      await adoptIdentity(tws.ws, { name: 'tech-laptop', role: 'client', endpoints: [], tags: [] }, laptop, 'tech-laptop.key_secret');
      await addPeer(tws.ws, { name: 'edge-07', publicKey: stale.publicKey, endpoints: [edge.endpoint], tags: ['plant-3'] });
      await addPeer(tws.ws, { name: 'strict-gw', publicKey: strict.publicKey, endpoints: [strictGw.endpoint], tags: ['plant-3'] });
    },
  });
  await app.go('Peers');
});

afterAll(async () => {
  await app?.close();
  await Promise.all([gw, edge, strictGw].map((r) => r?.close()));
  rmSync(scratch, { recursive: true, force: true });
});

/** Screenshots at 1280x800 and 900x600, with `focus` (the part the step is about) scrolled into view. */
async function both(name: string, focus?: Locator): Promise<void> {
  await focus?.scrollIntoViewIfNeeded();
  await app.screenshot(`${name}-1280x800`);
  await app.page.setViewportSize({ width: 900, height: 600 });
  await focus?.scrollIntoViewIfNeeded();
  await app.screenshot(`${name}-900x600`);
  await app.page.setViewportSize({ width: 1280, height: 800 });
}

const peerId = async (name: string) => (await listPeers(app.workspace.ws)).find((p) => p.name === name)!.id;

describe('field tech journey', () => {
  it('scans the gateway QR code, verifies its safety code and passes a link test as the own identity', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByRole('button', { name: 'Scan with camera' }).click();
    await page.getByRole('heading', { level: 2, name: 'plant-3-gw' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('peer-public-key').textContent()).toBe(gateway.publicKey);
    expect(new URL(page.url()).hash).toBe(`#/peers/${await peerId('plant-3-gw')}`);

    // The gateway's owner reads out the code of the key they hold.
    await page.getByLabel('Safety code read out by the other side').fill(safetyCode(gateway.publicKey).replace(/ /g, ''));
    await page.getByLabel('Verified by (optional)').fill('Ana, plant 3');
    await page.getByRole('button', { name: 'Compare codes' }).click();
    await expect.poll(() => page.getByTestId('verify-result').textContent()).toContain('The codes match');

    const test = page.getByRole('region', { name: 'Link test' });
    // Our own client identity is the default; the one-time key is only a choice.
    expect(await test.getByLabel('Test as').locator('option:checked').textContent()).toBe('tech-laptop (my client key)');
    await test.getByRole('button', { name: 'Test link' }).click();
    const card = test.locator('article[data-verdict]');
    await card.waitFor();
    expect(await card.getAttribute('data-verdict')).toBe('ok');
    expect(await test.getByTestId('link-tested-as').textContent()).toMatch(/^Tested as tech-laptop in /);
    expect(await card.locator('[data-action]').count()).toBe(0);
    await both('field-tech-verified-ok', card);
    // The verdict is recorded and shows in the list.
    await expect.poll(() => page.getByRole('listbox', { name: 'Peers' }).getByRole('option', { name: /plant-3-gw/ }).innerText()).toMatch(/verified[\s\S]*link: ok/);
    const stored = (await listPeers(app.workspace.ws)).find((p) => p.name === 'plant-3-gw')!;
    expect(stored).toMatchObject({ verification: { state: 'verified', by: 'Ana, plant 3' }, link: { lastVerdict: 'ok' } });
    app.expectClean();
  });

  it('a stale key gives "wrong server key"; its button opens the replace flow with both codes, and the test then passes', async () => {
    const { page } = app;
    await page.getByRole('listbox', { name: 'Peers' }).getByRole('option', { name: /edge-07/ }).click();
    await page.getByRole('heading', { level: 2, name: 'edge-07' }).waitFor();
    const test = page.getByRole('region', { name: 'Link test' });
    await test.getByRole('button', { name: 'Test link' }).click();
    const card = test.locator('article[data-verdict="wrong-server-key"]');
    await card.waitFor({ timeout: 15_000 });
    // The next step is said once, as a sentence, and offered as a button.
    expect(await card.locator('[data-next]').count()).toBe(1);
    expect(await card.getByText("Re-import the peer's current public key.").count()).toBe(1);
    await both('field-tech-wrong-key', card);
    await card.getByRole('button', { name: 'Re-import the key of edge-07' }).click();

    const form = page.getByRole('form', { name: 'Replace the key of edge-07' });
    await form.waitFor();
    expect(new URL(page.url()).hash).toBe(`#/peers/${await peerId('edge-07')}/replace`);
    await form.getByLabel(/New public key of edge-07/).fill(qrPayload({ name: 'edge-07', endpoint: edge.endpoint, publicKey: moved.publicKey }));
    await form.getByRole('button', { name: 'Compare safety codes' }).click();
    expect(await form.getByTestId('replace-old-code').textContent()).toBe(safetyCode(stale.publicKey));
    expect(await form.getByTestId('replace-new-code').textContent()).toBe(safetyCode(moved.publicKey));
    await both('field-tech-replace-key', form);
    // Nothing changed before the confirmation.
    expect((await listPeers(app.workspace.ws)).find((p) => p.name === 'edge-07')!.publicKey).toBe(stale.publicKey);
    await form.getByRole('button', { name: 'Replace the key of edge-07' }).click();
    await expect.poll(() => page.getByTestId('peer-public-key').textContent()).toBe(moved.publicKey);
    expect((await listPeers(app.workspace.ws)).find((p) => p.name === 'edge-07')!).toMatchObject({ publicKey: moved.publicKey, verification: { state: 'unverified' } });

    await page.getByRole('region', { name: 'Link test' }).getByRole('button', { name: 'Test link' }).click();
    await page.getByRole('region', { name: 'Link test' }).locator('article[data-verdict="ok"]').waitFor({ timeout: 15_000 });
    app.expectClean();
  });

  it('a gateway that does not admit us gives "rejected"; its button shows our key as a QR code for the admin', async () => {
    const { page } = app;
    await page.getByRole('listbox', { name: 'Peers' }).getByRole('option', { name: /strict-gw/ }).click();
    await page.getByRole('heading', { level: 2, name: 'strict-gw' }).waitFor();
    const test = page.getByRole('region', { name: 'Link test' });
    await test.getByRole('button', { name: 'Test link' }).click();
    const card = test.locator('article[data-verdict="rejected"]');
    await card.waitFor({ timeout: 15_000 });
    expect(await card.locator('[data-next]').textContent()).toBe("Ask the peer's admin to add the public key of tech-laptop to its allowlist.");
    await card.getByRole('button', { name: "Show the QR code of tech-laptop for the peer's admin" }).click();
    const qr = test.getByTestId('my-key-qr');
    await qr.waitFor();
    const shot = await app.screenshot('field-tech-my-key-qr', qr);
    const decoded = execFileSync('zbarimg', ['--raw', '-q', shot], { encoding: 'utf8' });
    expect(decoded).toContain(`public-key = "${laptop.publicKey}"`);
    expect(decoded).not.toMatch(/secret/);
    await both('field-tech-rejected', card);

    // A one-time key stays a choice, with what it can prove; its refusal leads back to our identity.
    await test.getByLabel('Test as').selectOption({ label: 'a one-time key' });
    expect(await test.getByTestId('one-time-key-proves').textContent()).toMatch(/speaks CURVE with this key, not that you are allowed/);
    await test.getByRole('button', { name: 'Test link' }).click();
    const oneTime = test.locator('article[data-verdict="rejected"]');
    await oneTime.waitFor({ timeout: 15_000 });
    expect(await oneTime.locator('[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))).toEqual(['test-as-identity']);
    await oneTime.getByRole('button', { name: 'Test as my client identity' }).click();
    await expect.poll(() => test.getByTestId('link-tested-as').textContent(), { timeout: 15_000 }).toMatch(/^Tested as tech-laptop/);
    app.expectClean();
  });

  it('#/peers/ID/test opens the peer and starts its test', async () => {
    const { page } = app;
    const id = await peerId('plant-3-gw');
    await page.evaluate(() => (window.location.hash = '#/overview'));
    await page.locator('main[data-view-label="Overview"]').waitFor();
    await page.evaluate((hash) => (window.location.hash = hash), `#/peers/${id}/test`);
    await page.getByRole('heading', { level: 2, name: 'plant-3-gw' }).waitFor();
    await page.getByRole('region', { name: 'Link test' }).locator('article[data-verdict="ok"]').waitFor({ timeout: 15_000 });
    app.expectClean();
  });
});
