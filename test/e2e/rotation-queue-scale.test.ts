// "Rotate all overdue" over a large fleet, in Chromium through the bridge: 150,000 overdue
// identities (a fleet of devices provisioned the same day, all past their yearly rotation). The
// Timeline's button queues every one for the rotation wizard; the queue once went into the URL's
// hash (#/rotation/ID/ID2/...) through a call with one argument per key, which threw a RangeError
// past about 120,000 keys (the stack), and the hash would pass Chromium's 2 MB URL limit there too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { type E2eApp, launchApp } from './harness.js';

const FLEET = 150_000;
const pad = (i: number) => String(i).padStart(6, '0');
let app: E2eApp;

beforeAll(async () => {
  app = await launchApp('rotation-queue-scale', {
    seed: async (tws) => {
      await tws.ws.store.update((tx) => {
        // Made one after another in 2020 with a yearly policy: every key is overdue, the first made most.
        for (let i = 0; i < FLEET; i++) {
          const createdAt = new Date(Date.UTC(2020, 0, 1) + i * 1000).toISOString();
          tx.data.identities.push({
            id: `id_device${pad(i)}`, name: `device-${pad(i)}`, role: 'device', tags: [], endpoints: [], createdAt, rotateEveryDays: 365,
            generations: [{ generation: 1, publicKey: generateKeyPair().publicKey, state: 'current', createdAt }],
          });
        }
      });
    },
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe(`"Rotate all overdue" with ${FLEET.toLocaleString('en-US')} overdue keys`, () => {
  it('opens the wizard on the most overdue key with every other one queued, the URL short', async () => {
    await app.go('Timeline');
    const timeline = app.page.locator('main[data-view-label="Timeline"]');
    await timeline.locator('[data-timeline-summary]').waitFor({ timeout: 30_000 });
    await app.page.getByRole('button', { name: `Rotate all overdue (${FLEET})` }).click();

    await app.page.locator('main[data-view-label="Rotation"]').waitFor({ timeout: 30_000 });
    const picker = app.page.getByLabel('Identity to rotate');
    await expect.poll(() => picker.locator('option:checked').innerText(), { timeout: 30_000 }).toContain('device-000000');
    const queue = app.page.locator('[data-queue]');
    await expect.poll(() => queue.getAttribute('data-queue'), { timeout: 30_000 }).toBe(String(FLEET - 1));
    // The next few by name, the rest counted: not 150,000 names in one paragraph.
    const said = await queue.innerText();
    expect(said).toBe(`Then ${FLEET - 1} more overdue: device-000001, device-000002, device-000003, device-000004, device-000005, and ${FLEET - 6} more`);
    expect(new URL(app.page.url()).hash).toBe('#/rotation/id_device000000');

    // Choosing one identity in the picker starts a single rotation: the queue ends.
    await app.page.getByLabel('Find the identity by name').fill('device-000007');
    await expect.poll(() => picker.locator('option', { hasText: 'device-000007' }).count()).toBe(1);
    await picker.selectOption({ label: 'device-000007 (overdue)' });
    await expect.poll(() => picker.locator('option:checked').innerText()).toContain('device-000007');
    await expect.poll(() => queue.count()).toBe(0);
    expect(new URL(app.page.url()).hash).toBe('#/rotation/id_device000007');
    app.expectClean();
  }, 120_000);
});
