// Views over a fleet, in Chromium through the bridge: a store of 1,000 overdue identities and
// 1,000 unverified peers. Each view draws a few dozen rows or options and offers the rest on
// request (a search in a choice list, "Show more" under a list), where drawing every one froze
// the page for 1 to 3.7 s with 10,000 of each (the Overview, Link tests, Rotation, the Timeline).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { CHOICES_SHOWN, ROWS_PAGE } from '../../src-renderer/lib/choice-window.js';
import { FIRST_OF_KIND, SHOW_MORE } from '../../src-renderer/views/overview/overview-items.js';
import { type E2eApp, launchApp } from './harness.js';

const FLEET = 1000;
/** Every tenth peer's last link test failed (unreachable); the rest were never tested. */
const FAILED = FLEET / 10;
const pad = (i: number) => String(i).padStart(5, '0');
let app: E2eApp;

beforeAll(async () => {
  app = await launchApp('fleet-scale', {
    seed: async (tws) => {
      await tws.ws.store.update((tx) => {
        // Made in 2020 with a yearly policy: every key is overdue. Metadata only: no view here reads a secret.
        const createdAt = '2020-01-01T00:00:00.000Z';
        for (let i = 0; i < FLEET; i++) {
          tx.data.identities.push({
            id: `id_fleet${i}`, name: `sensor-${pad(i)}`, role: 'client', tags: [], endpoints: [], createdAt, rotateEveryDays: 365,
            generations: [{ generation: 1, publicKey: generateKeyPair().publicKey, state: 'current', createdAt }],
          });
          tx.data.peers.push({
            id: `peer_fleet${i}`, name: `broker-${pad(i)}`, publicKey: generateKeyPair().publicKey, endpoints: [`tcp://127.0.0.1:${6000 + i}`],
            tags: [], allowed: false, createdAt, verification: { state: 'unverified' },
            ...(i % 10 === 0 ? { link: { lastVerdict: 'unreachable', lastAt: '2026-11-30T10:00:00.000Z', lastEndpoint: `tcp://127.0.0.1:${6000 + i}` } } : {}),
          });
        }
      });
    },
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

const view = (label: string) => app.page.locator(`main[data-view-label="${label}"]`);

describe('a fleet of 1,000 identities and 1,000 peers', () => {
  it('Overview: the first items of each kind, and the rest in steps', async () => {
    await app.go('Overview');
    const m = view('Overview');
    const peers = m.locator('[data-kind="peer-unverified"]');
    await expect.poll(() => peers.count()).toBe(FIRST_OF_KIND);
    expect(await m.locator('[data-kind="key-overdue"]').count()).toBe(FIRST_OF_KIND);
    // The group's badge still counts every item: the unverified peers, and the failed link tests.
    expect(await m.locator('[data-severity="warning"] h2 .badge').textContent()).toBe(String(FLEET + FAILED));
    const more = m.locator('[data-more="peer-unverified"] button');
    expect(await more.textContent()).toBe(`Show ${SHOW_MORE} more of ${FLEET - FIRST_OF_KIND} unverified peers`);
    await more.click();
    await expect.poll(() => peers.count()).toBe(FIRST_OF_KIND + SHOW_MORE);
    expect(await m.locator('[data-kind="key-overdue"]').count()).toBe(FIRST_OF_KIND);
    await app.screenshot('fleet-overview');
    app.expectClean();
  });

  it('Link tests: choice lists of 50 with a search, and the history 100 rows at a time', async () => {
    await app.go('Link tests');
    const form = app.page.getByRole('form', { name: 'Test one link' });
    const peer = form.getByLabel('Peer', { exact: true });
    await expect.poll(() => peer.locator('option').count()).toBe(CHOICES_SHOWN);
    expect(await form.getByLabel('As identity').locator('option').count()).toBe(CHOICES_SHOWN + 1); // and the one-time key
    await form.getByLabel('Find the peer by name').fill('broker-00777');
    // The peer chosen so far (the first) stays in the list beside what the search finds.
    await expect.poll(() => peer.locator('option').allTextContents()).toEqual(['broker-00000', 'broker-00777']);
    await peer.selectOption({ label: 'broker-00777' });
    expect(await peer.inputValue()).toBe('peer_fleet777');
    expect(await form.locator('[data-choice-note="link-peer"]').textContent()).toBe('One peer matches.');

    const history = app.page.getByRole('table', { name: 'Link history' });
    expect(await history.locator('tbody tr').count()).toBe(ROWS_PAGE);
    await view('Link tests').locator('[data-show-more="peers"] button').click();
    await expect.poll(() => history.locator('tbody tr').count()).toBe(2 * ROWS_PAGE);

    // The history's own filter: the peers whose last test failed, a search by name or endpoint.
    const links = view('Link tests');
    await links.getByLabel('Failing peers only').check();
    await expect.poll(() => history.locator('tbody tr').count()).toBe(FAILED);
    expect(new Set(await history.locator('[data-last-verdict]').allTextContents())).toEqual(new Set(['unreachable']));
    expect(await links.locator('[data-show-more="peers"]').count()).toBe(0);
    const find = links.getByLabel('Find a peer in the history by name or endpoint');
    await find.fill('broker-0077');
    await expect.poll(() => history.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-peer')))).toEqual(['broker-00770']);
    await links.getByLabel('Failing peers only').uncheck();
    await expect.poll(() => history.locator('tbody tr').count()).toBe(10);
    await find.fill('127.0.0.1:6777');
    await expect.poll(() => history.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-peer')))).toEqual(['broker-00777']);
    await find.fill('nothing-here');
    expect(await links.locator('[data-history-none]').textContent()).toBe('No peer matches “nothing-here”.');
    await find.fill('');
    await expect.poll(() => history.locator('tbody tr').count()).toBe(ROWS_PAGE);
    app.expectClean();
  });

  it('Rotation: the identity list holds 50 and a search finds any identity', async () => {
    await app.go('Rotation');
    const select = app.page.getByLabel('Identity to rotate');
    await expect.poll(() => select.locator('option').count()).toBe(CHOICES_SHOWN + 1); // and "choose an identity"
    await app.page.getByLabel('Find the identity by name').fill('sensor-00999');
    await expect.poll(() => select.locator('option').count()).toBe(2);
    await select.selectOption({ label: 'sensor-00999 (overdue)' });
    await expect.poll(() => select.locator('option:checked').innerText()).toContain('sensor-00999');
    app.expectClean();
  });

  it('Timeline: 100 keys on the axis and in the due list, the table drawn once opened', async () => {
    await app.go('Timeline');
    const m = view('Timeline');
    await m.locator('[data-timeline-summary]').waitFor();
    expect(await m.locator('[data-timeline-summary]').textContent()).toContain(`${FLEET} overdue`);
    expect(await m.locator('.due-list li').count()).toBe(ROWS_PAGE);
    expect(await m.locator('.chart li').count()).toBe(ROWS_PAGE);
    await m.locator('[data-show-more="keys"] button').click();
    await expect.poll(() => m.locator('.chart li').count()).toBe(2 * ROWS_PAGE);
    const table = m.getByRole('table', { name: 'Rotation schedule', includeHidden: true });
    expect(await table.locator('tbody tr').count()).toBe(0);
    await m.getByText('The same as a table').click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(ROWS_PAGE);
    app.expectClean();
  });
});
