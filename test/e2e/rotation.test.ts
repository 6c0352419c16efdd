// The rotation wizard in Chromium through the bridge, against a running responder: a pyzmq CURVE
// ROUTER whose authenticator admits the keys of a certificate folder (test/helpers/rotation).
// The pending key is rejected until the Distribute step writes it into that folder, passes after,
// is promoted and the rotation finished; then a second rotation is rolled back.
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../src-main/core/identities/identities.js';
import { addPeer } from '../../src-main/core/peers/peers.js';
import { distributeRotation } from '../../src-main/core/rotation/distribute.js';
import { type FolderRouter, startFolderRouter } from '../helpers/rotation/folder-router.js';
import { type E2eApp, launchApp } from './harness.js';

const serverKeys = generateKeyPair();
let allowDir: string;
let router: FolderRouter;
let app: E2eApp;

beforeAll(async () => {
  allowDir = mkdtempSync(join(tmpdir(), 'curvekeep-e2e-allow-'));
  router = await startFolderRouter(serverKeys, allowDir);
  app = await launchApp('rotation', {
    seed: async (tws) => {
      await generateIdentity(tws.ws, { name: 'gateway', role: 'client', endpoints: [], tags: [] });
      await addPeer(tws.ws, { name: 'broker', publicKey: serverKeys.publicKey, endpoints: [router.endpoint] });
      // The broker admits the gateway's current key, as before any rotation.
      await distributeRotation(tws.ws, 'gateway', { out: allowDir });
      // A key past its policy, for the timeline: made 400 days ago, rotated yearly.
      await generateIdentity(tws.ws, { name: 'old-sensor', role: 'device', rotateEveryDays: 365, endpoints: [], tags: [] });
      await tws.ws.store.update((tx) => {
        const sensor = tx.data.identities.find((i) => i.name === 'old-sensor')!;
        sensor.generations[0]!.createdAt = new Date(Date.now() - 400 * 86_400_000).toISOString();
      });
    },
  });
  expect(await router.reload()).toBe(1);
  await app.go('Rotation');
});

afterAll(async () => {
  await app?.close();
  await router?.stop();
  rmSync(allowDir, { recursive: true, force: true });
});

/** The next steps the state panel offers: their actions, and their text (sentences, never command lines). */
async function nextSteps(): Promise<{ actions: Array<string | null>; text: string }> {
  const list = app.page.getByRole('list', { name: 'Next steps' });
  const items = list.locator('li');
  const actions: Array<string | null> = [];
  for (let i = 0; i < (await items.count()); i++) actions.push(await items.nth(i).getAttribute('data-next-action'));
  return { actions, text: (await list.textContent()) ?? '' };
}

function stateRow(generation: number) {
  return app.page.getByRole('table', { name: 'Key generations' }).locator(`tr[data-generation="${generation}"]`);
}

/**
 * Runs the Test step against the broker (ticked: remembered after its first test) and waits for
 * the verdict it expects; a failure is red, never green.
 */
async function testPendingKey(expected: string): Promise<void> {
  const { page } = app;
  const form = page.getByRole('form', { name: 'Test the pending key' });
  await form.getByRole('checkbox', { name: /broker/ }).check();
  await form.getByRole('button', { name: 'Test the pending key' }).click();
  const summary = page.locator('[data-test-summary]');
  await summary.waitFor({ timeout: 15_000 });
  expect(await summary.getByRole('list', { name: 'Test results' }).locator('li').getAttribute('data-verdict')).toBe(expected);
  expect(await summary.getAttribute('data-passed')).toBe(expected === 'ok' ? 'true' : 'false');
  expect(await page.locator('[data-notice]').getAttribute('data-tone')).toBe(expected === 'ok' ? 'ok' : 'danger');
}

describe('Rotation wizard', () => {
  it('stages, distributes, tests, promotes and finishes against a running responder', async () => {
    const { page } = app;
    await page.getByLabel('Identity to rotate').selectOption({ label: 'gateway' });
    await page.locator('section[data-step="stage"]').waitFor();
    expect(await page.locator('aside[data-stage]').getAttribute('data-stage')).toBe('idle');
    await page.getByRole('button', { name: 'Stage a new key' }).click();
    await page.locator('section[data-step="distribute"]').waitFor();
    expect(await stateRow(2).getAttribute('data-state')).toBe('pending');
    expect(await page.getByRole('button', { name: 'Roll back this rotation' }).count()).toBe(1);
    const staged = await nextSteps();
    expect(staged.actions).toEqual(['distribute', 'test', 'rollback']);
    expect(staged.text).toMatch(/Hand the pending public key/);
    expect(staged.text).not.toMatch(/curvekeep|--[a-z]|ENDPOINT/);
    // The step on screen needs no button to open it; the others have one.
    const nextButtons = page.getByRole('list', { name: 'Next steps' }).getByRole('button');
    expect(await nextButtons.allTextContents()).toEqual(['Open the Test step', 'Roll back…']);
    await app.screenshot('rotation-1-staged');

    // Testing before the broker knows the pending key: rejected, and no promotion on offer.
    await page.getByRole('button', { name: 'Skip: the peers have it already' }).click();
    await testPendingKey('rejected');
    await page.getByRole('list', { name: 'Rotation steps' }).getByRole('button', { name: '4. Promote' }).click();
    expect(await page.getByRole('button', { name: 'Promote the pending key' }).isDisabled()).toBe(true);
    await app.screenshot('rotation-2-promote-refused');

    await page.getByRole('list', { name: 'Rotation steps' }).getByRole('button', { name: '2. Distribute' }).click();
    const distribute = page.getByRole('form', { name: 'Distribute the pending key' });
    // The folder is chosen by the main process (in the bridge: a fresh folder inside its write
    // root); the page sends only its handle. The broker is then pointed at that folder.
    await distribute.getByRole('button', { name: 'Choose the folder…' }).click();
    const shown = distribute.locator('[data-distribute-folder]');
    await expect.poll(() => shown.getAttribute('data-distribute-folder')).not.toBe('');
    const chosen = (await shown.getAttribute('data-distribute-folder'))!;
    expect(chosen.startsWith(join(app.home, 'exports'))).toBe(true);
    await distribute.getByRole('button', { name: 'Write the certificates' }).click();
    await page.locator('[data-distributed]').waitFor();
    expect(await page.locator('[data-distributed-dir]').textContent()).toBe(chosen);
    rmSync(allowDir, { recursive: true, force: true });
    symlinkSync(chosen, allowDir);
    expect(readdirSync(allowDir).sort()).toEqual(['.curvekeep-owned.json', 'gateway.gen1.key', 'gateway.gen2.key', 'gateway.gen2.png']);
    expect(await page.getByRole('img', { name: /QR code of the pending public key/ }).count()).toBe(1);
    expect(await router.reload()).toBe(2);

    await page.getByRole('button', { name: 'Continue to the test' }).click();
    await page.locator('section[data-step="test"]').waitFor();
    await testPendingKey('ok');
    await app.screenshot('rotation-3-tested');
    await page.getByRole('button', { name: 'Go to promotion' }).click();
    await page.getByLabel(/Grace period/).fill('0');
    await page.getByRole('button', { name: 'Promote the pending key' }).click();
    await page.locator('section[data-step="finish"]').waitFor();
    expect(await stateRow(2).getAttribute('data-state')).toBe('current');
    expect(await stateRow(1).getAttribute('data-state')).toBe('previous');
    const promoted = await nextSteps();
    expect(promoted.actions).toEqual(['finish', 'rollback']);
    expect(promoted.text).not.toMatch(/curvekeep|--[a-z]/);
    await app.screenshot('rotation-4-promoted');

    await page.getByRole('button', { name: 'Finish: retire the previous key' }).click();
    await page.locator('[data-rotation-finished]').waitFor();
    expect(await stateRow(1).getAttribute('data-state')).toBe('retired');
    expect(await page.locator('aside[data-stage]').getAttribute('data-stage')).toBe('idle');
    expect(await page.getByRole('button', { name: 'Roll back this rotation' }).count()).toBe(0);
    await app.screenshot('rotation-5-finished');
    app.expectClean();
  });

  it('rolls a staged rotation back, and a reload shows where a rotation stands', async () => {
    const { page } = app;
    await page.getByRole('list', { name: 'Rotation steps' }).getByRole('button', { name: '1. Stage' }).click();
    await page.getByRole('button', { name: 'Stage a new key' }).click();
    await page.locator('section[data-step="distribute"]').waitFor();

    // A half-finished rotation is a visible state: the page opened again lands on it.
    await app.open('/');
    await app.go('Rotation');
    await page.getByLabel('Identity to rotate').selectOption({ label: 'gateway (rotation staged)' });
    await page.locator('section[data-step="distribute"]').waitFor();
    expect(await page.locator('aside[data-stage]').getAttribute('data-stage')).toBe('staged');

    // The next steps are buttons: one opens its step, the rollback one asks first.
    await page.getByRole('list', { name: 'Next steps' }).getByRole('button', { name: 'Open the Test step' }).click();
    await page.locator('section[data-step="test"]').waitFor();
    await page.getByRole('list', { name: 'Next steps' }).getByRole('button', { name: 'Roll back…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('dialog').count()).toBe(0);

    await page.getByRole('button', { name: 'Roll back this rotation' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await page.locator('[data-notice]').filter({ hasText: 'Rolled back' }).waitFor();
    expect(await stateRow(3).getAttribute('data-state')).toBe('revoked');
    expect(await stateRow(2).getAttribute('data-state')).toBe('current');
    expect(await page.locator('section[data-step]').getAttribute('data-step')).toBe('stage');
    await app.screenshot('rotation-6-rolled-back');
    app.expectClean();
  });

  it('revokes a leaked previous key from the state panel, after a confirmation', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Stage a new key' }).click();
    await page.locator('section[data-step="distribute"]').waitFor();
    await page.getByRole('list', { name: 'Rotation steps' }).getByRole('button', { name: '4. Promote' }).click();
    await page.getByLabel(/Promote without a passing test/).check();
    await page.getByRole('button', { name: 'Promote the pending key' }).click();
    await page.locator('section[data-step="finish"]').waitFor();
    expect(await stateRow(2).getAttribute('data-state')).toBe('previous');

    await page.getByRole('button', { name: 'Revoke generation 2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.locator('[data-notice]').filter({ hasText: 'Revoked generation 2' }).waitFor();
    expect(await stateRow(2).getAttribute('data-state')).toBe('revoked');
    expect(await stateRow(4).getAttribute('data-state')).toBe('current');
    expect(await page.locator('aside[data-stage]').getAttribute('data-stage')).toBe('idle');
    app.expectClean();
  });

  it('shows key ages against policies on the timeline, from the keyboard', async () => {
    const { page } = app;
    await app.go('Timeline');
    const rows = page.getByRole('list', { name: /Key age against rotation policy/ }).getByRole('listitem');
    await rows.first().waitFor();
    // Whole days, rounded down: a few seconds past the 35th day read as 36 days overdue.
    expect(await rows.first().getAttribute('aria-label')).toMatch(/^old-sensor: key 400 days old, rotate every 365 days, overdue by 3[56] days$/);
    expect(await rows.first().getAttribute('data-due')).toBe('overdue');
    expect(await page.locator('[data-timeline-summary]').textContent()).toContain('1 overdue');
    await rows.first().focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-identity'))).toBe('gateway');
    await app.screenshot('timeline');
    await page.keyboard.press('Enter');
    await page.locator('main[data-view-label="Rotation"]').waitFor();
    await page.locator('aside[data-stage]').waitFor();
    expect(await page.getByLabel('Identity to rotate').inputValue()).not.toBe('');
    app.expectClean();
  });
});
