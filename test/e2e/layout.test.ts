// Every view at 900x600 with seeded data (long names, many badges, an overdue key, a failed test),
// in Chromium through the bridge: the sidebar collapses to icons with their labels still shown and
// reachable (and expands again at 1280x800); no row name is clipped below 8 characters (measured
// from the laid-out text against every clipping box around it); and no view shows command-line
// text (`curvekeep rotate ...`), verdicts and next steps included. Screenshots of every view at
// 900x600 in light and dark go to test-results/screenshots/layout-900-VIEW-THEME.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../src-main/core/identities/identities.js';
import { addPeer } from '../../src-main/core/peers/peers.js';
import { COMMAND_LINE } from '../../src-renderer/lib/plain-errors.js';
import { type E2eApp, launchApp } from './harness.js';

const DAY = 86_400_000;
/** Long names, as fleets name things: each must show at least 8 characters wherever a row shows it. */
const NAMES = [
  'edge-gateway-north-building-07-primary',
  'field-laptop-operator-01',
  'sensor-cold-storage-aisle-14',
  'plant-3-broker-mqtt-bridge-west-wing',
  'historian-collector-site-b',
  'lab',
];
const MIN_CHARS = 8;

interface Clipped {
  readonly view: string;
  readonly name: string;
  readonly visibleChars: number;
}

let app: E2eApp;
let labels: string[] = [];

beforeAll(async () => {
  app = await launchApp('layout', {
    viewport: { width: 900, height: 600 },
    seed: async ({ ws }) => {
      await generateIdentity(ws, { name: NAMES[0]!, role: 'server', endpoints: ['tcp://127.0.0.7:5555'], tags: ['plant-3', 'north'] });
      await generateIdentity(ws, { name: NAMES[1]!, role: 'client', rotateEveryDays: 365, endpoints: [], tags: ['operators'] });
      await generateIdentity(ws, { name: NAMES[2]!, role: 'device', rotateEveryDays: 30, endpoints: [], tags: [] });
      await generateIdentity(ws, { name: NAMES[5]!, role: 'client', rotateEveryDays: null, endpoints: [], tags: [] });
      // A server nothing listens at: the rotation test of the client fails there ("unreachable").
      await addPeer(ws, { name: NAMES[3]!, publicKey: generateKeyPair().publicKey, endpoints: ['tcp://127.0.0.1:9'], tags: ['plant-3', 'mqtt', 'west'] });
      await addPeer(ws, { name: NAMES[4]!, publicKey: generateKeyPair().publicKey, endpoints: ['tcp://127.0.0.1:9'] });
      await ws.store.update((tx) => {
        const client = tx.data.identities.find((i) => i.name === NAMES[1])!;
        client.generations[0]!.createdAt = new Date(Date.now() - 400 * DAY).toISOString();
        client.generations[0]!.lastTest = { endpoint: 'tcp://127.0.0.1:9', verdict: 'unreachable', at: new Date(Date.now() - 9 * DAY).toISOString() };
        const sensor = tx.data.identities.find((i) => i.name === NAMES[2])!;
        sensor.generations[0]!.createdAt = new Date(Date.now() - 25 * DAY).toISOString();
        // The most badges a peer row can carry.
        for (const peer of tx.data.peers) peer.link = { lastVerdict: 'wrong-server-key', lastAt: new Date(Date.now() - DAY).toISOString(), lastEndpoint: 'tcp://127.0.0.1:9' };
      });
    },
  });
  labels = (await app.page.getByRole('navigation', { name: 'Views' }).getByRole('link').allInnerTexts()).map((l) => l.trim());
});

afterAll(async () => {
  await app?.close();
});

/**
 * Every rendered element whose own text is one of NAMES, with how many of its characters can be
 * seen: the laid-out text's width against the element's box (an ellipsis) and every ancestor that
 * clips, horizontally.
 */
async function nameVisibility(view: string): Promise<{ measured: number; clipped: Clipped[] }> {
  const found = await app.page.evaluate(
    ({ names }) => {
      const out: Array<{ name: string; visibleChars: number }> = [];
      const wanted = new Set(names);
      for (const el of Array.from(document.querySelectorAll<HTMLElement>('main *, nav *'))) {
        if (el.closest('option, select, title, script, style')) continue;
        const text = (el.textContent ?? '').trim();
        if (!wanted.has(text) || Array.from(el.children).some((c) => (c.textContent ?? '').trim() === text)) continue;
        if (el.getClientRects().length === 0) continue; // not rendered (a closed details, a hidden panel)
        const range = document.createRange();
        range.selectNodeContents(el);
        const textBox = range.getBoundingClientRect();
        if (textBox.width === 0 && textBox.height === 0) continue;
        let left = textBox.left;
        let right = textBox.right;
        for (let node: HTMLElement | null = el; node; node = node.parentElement) {
          const style = getComputedStyle(node);
          const clips = node === el ? style.overflowX !== 'visible' || style.textOverflow === 'ellipsis' : style.overflowX !== 'visible';
          if (!clips) continue;
          const box = node.getBoundingClientRect();
          left = Math.max(left, box.left);
          right = Math.min(right, box.right);
        }
        const fraction = textBox.width > 0 ? Math.max(0, right - left) / textBox.width : 0;
        // An ellipsis takes about one character of what is left.
        const visibleChars = fraction >= 0.999 ? text.length : Math.max(0, Math.floor(text.length * fraction) - 1);
        out.push({ name: text, visibleChars });
      }
      return out;
    },
    { names: NAMES },
  );
  return {
    measured: found.length,
    clipped: found.filter((f) => f.visibleChars < Math.min(MIN_CHARS, f.name.length)).map((f) => ({ view, ...f })),
  };
}

async function expectNoCommandText(where: string): Promise<void> {
  const text = await app.page.locator('body').innerText();
  const match = COMMAND_LINE.exec(text);
  expect(match?.[0] ?? null, `${where} shows command-line text`).toBeNull();
}

describe('Layout at 900x600', () => {
  it('collapses the sidebar to icons with labels, each link keeping its name and reachable; 1280 wide expands it', async () => {
    const { page } = app;
    const nav = page.getByRole('navigation', { name: 'Views' });
    expect(labels.length).toBeGreaterThanOrEqual(10);
    const narrow = (await nav.boundingBox())!;
    expect(narrow.width).toBeLessThanOrEqual(100);
    for (const label of labels) {
      const link = nav.getByRole('link', { name: label, exact: true });
      await link.scrollIntoViewIfNeeded();
      expect(await link.isVisible(), `${label} link`).toBe(true);
      // The icon is decorative; the label is shown in full under it.
      expect(await link.locator('svg').getAttribute('aria-hidden')).toBe('true');
      const shown = link.locator('.nav-label');
      expect(await shown.innerText()).toBe(label);
      const fits = await shown.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.getBoundingClientRect().width > 0);
      expect(fits, `${label} label fits`).toBe(true);
      const box = (await link.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(narrow.x + narrow.width + 1);
    }
    // Keyboard still walks the collapsed sidebar.
    await nav.getByRole('link', { name: labels[0]!, exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(labels[1]);

    await page.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(async () => (await nav.boundingBox())!.width).toBeGreaterThan(150);
    await page.setViewportSize({ width: 900, height: 600 });
    await expect.poll(async () => (await nav.boundingBox())!.width).toBeLessThanOrEqual(100);
    app.expectClean();
  });

  it('clips no row name below 8 characters and shows no command-line text in any view, light and dark', async () => {
    const { page } = app;
    const clipped: Clipped[] = [];
    let measured = 0;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const label of labels) {
        await app.go(label);
        await page.waitForLoadState('networkidle');
        // A list view: open its first row's detail too, where names and badges also show.
        const firstOption = page.locator('main [role="option"]').first();
        if ((await firstOption.count()) > 0) {
          await firstOption.click();
          await page.waitForLoadState('networkidle');
        }
        const seen = await nameVisibility(label);
        measured += seen.measured;
        clipped.push(...seen.clipped);
        await expectNoCommandText(label);
        await app.screenshot(`layout-900-${label.toLowerCase().replace(/\W+/g, '-')}-${scheme}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // Keys, Peers and the Timeline show these names: far more than one per view was measured.
    expect(measured).toBeGreaterThan(20);
    expect(clipped).toEqual([]);
    app.expectClean();
  });

  it('shows no command-line text in the rotation wizard, a failed verdict and its next steps included', async () => {
    const { page } = app;
    await app.go('Timeline');
    await page.getByRole('button', { name: `Rotate ${NAMES[1]}` }).click();
    await page.locator('section[data-step="stage"]').waitFor();
    await page.getByRole('button', { name: 'Stage a new key' }).click();
    await page.locator('section[data-step="distribute"]').waitFor();
    await page.getByRole('button', { name: 'Skip: the peers have it already' }).click();
    const form = page.getByRole('form', { name: 'Test the pending key' });
    // Remembered from the seeded test's endpoint: both peers listed there are ticked.
    await form.locator('[data-target]').first().waitFor();
    expect(await form.getByRole('checkbox', { name: new RegExp(NAMES[3]!) }).isChecked()).toBe(true);
    await form.getByRole('checkbox', { name: new RegExp(NAMES[4]!) }).uncheck();
    await form.getByRole('button', { name: 'Test the pending key' }).click();
    const summary = page.locator('[data-test-summary]');
    await summary.waitFor({ timeout: 20_000 });
    expect(await summary.getAttribute('data-passed')).toBe('false');
    expect(await summary.locator('li').getAttribute('data-verdict')).toBe('unreachable');
    await expectNoCommandText('the rotation wizard after a failed test');
    const seen = await nameVisibility('Rotation');
    expect(seen.measured).toBeGreaterThan(0);
    expect(seen.clipped).toEqual([]);
    await app.screenshot('layout-900-rotation-failed-test-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('layout-900-rotation-failed-test-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    app.expectClean();
  });
});
