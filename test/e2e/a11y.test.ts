// Accessibility end to end, over every view the sidebar lists: every button, input, select and
// textarea has an accessible name (by the DOM rules, and as Chromium's accessibility tree
// computes it); Tab from the top of the page reaches the navigation and the Keys view's main
// controls; the dark theme (chosen in Settings, and from the system via prefers-color-scheme)
// paints a dark page; screenshots of each view in both themes go to test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../src-main/core/identities/identities.js';
import { addPeer } from '../../src-main/core/peers/peers.js';
import { type E2eApp, launchApp } from './harness.js';

interface Unnamed {
  readonly view: string;
  readonly element: string;
}

/** The relative luminance (0 black … 1 white) of a computed `rgb(...)` / `rgba(...)` colour. */
function luminance(color: string): number {
  const match = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  if (!match) throw new Error(`not an rgb colour: ${color}`);
  const [r, g, b] = [match[1], match[2], match[3]].map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

describe('Accessibility', () => {
  let app: E2eApp;
  let labels: string[] = [];

  beforeAll(async () => {
    app = await launchApp('a11y', {
      // Something in the lists, so that row controls are checked too.
      seed: async ({ ws }) => {
        await generateIdentity(ws, { name: 'gateway-07', role: 'server', endpoints: ['tcp://127.0.0.7:5555'], tags: ['plant-3'] });
        await addPeer(ws, { name: 'plant-3-broker', publicKey: generateKeyPair().publicKey });
      },
    });
    labels = await app.page.getByRole('navigation', { name: 'Views' }).getByRole('link').allInnerTexts();
    labels = labels.map((l) => l.trim());
  });

  afterAll(async () => {
    await app?.close();
  });

  /** Form controls without an accessible name by the DOM rules (labels, aria-label(ledby), title, text). */
  async function unnamedByDom(view: string): Promise<Unnamed[]> {
    const found = await app.page.evaluate(() => {
      const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
      const nameOf = (el: HTMLElement): string => {
        const aria = el.getAttribute('aria-label')?.trim();
        if (aria) return aria;
        const ids = el.getAttribute('aria-labelledby');
        if (ids) {
          const joined = ids.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
          if (joined) return joined;
        }
        const labelled = (el as HTMLInputElement).labels;
        if (labelled && labelled.length > 0) {
          const joined = Array.from(labelled).map((l) => text(l)).join(' ').trim();
          if (joined) return joined;
        }
        if (el instanceof HTMLButtonElement) {
          const own = text(el);
          if (own) return own;
          const img = el.querySelector('img[alt]')?.getAttribute('alt')?.trim();
          if (img) return img;
        }
        if (el instanceof HTMLInputElement && ['button', 'submit', 'reset'].includes(el.type) && el.value.trim()) return el.value.trim();
        return el.getAttribute('title')?.trim() ?? '';
      };
      const controls = Array.from(document.querySelectorAll<HTMLElement>('button, input, select, textarea'));
      return controls
        .filter((el) => !(el instanceof HTMLInputElement && el.type === 'hidden'))
        .filter((el) => nameOf(el) === '')
        .map((el) => el.outerHTML.slice(0, 160));
    });
    return found.map((element) => ({ view, element }));
  }

  /** Interactive nodes that Chromium's accessibility tree gives no name. */
  async function unnamedByChromium(view: string): Promise<Unnamed[]> {
    const cdp = await app.context.newCDPSession(app.page);
    try {
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
        nodes: Array<{ ignored: boolean; role?: { value?: string }; name?: { value?: string }; backendDOMNodeId?: number }>;
      };
      const ROLES = new Set(['button', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch', 'menuitem', 'tab']);
      return nodes
        .filter((n) => !n.ignored && ROLES.has(n.role?.value ?? '') && !(n.name?.value ?? '').trim())
        .map((n) => ({ view, element: `${n.role?.value} (backend node ${n.backendDOMNodeId})` }));
    } finally {
      await cdp.detach();
    }
  }

  it('gives every button, input, select and textarea of every view an accessible name', async () => {
    expect(labels).toEqual(expect.arrayContaining(['Keys', 'Peers', 'Audit', 'Settings']));
    const unnamed: Unnamed[] = [];
    let checked = 0;
    for (const label of labels) {
      await app.go(label);
      // Let the view's first calls land (lists, forms).
      await app.page.waitForLoadState('networkidle');
      checked += await app.page.locator('button, input, select, textarea').count();
      unnamed.push(...(await unnamedByDom(label)), ...(await unnamedByChromium(label)));
    }
    // The Keys view's generate form, a control set that is not open at first.
    await app.go('Keys');
    await app.page.getByRole('button', { name: 'New key…' }).click();
    await app.page.getByRole('form', { name: 'Generate a key pair' }).waitFor();
    unnamed.push(...(await unnamedByDom('Keys (new key form)')), ...(await unnamedByChromium('Keys (new key form)')));
    expect(checked).toBeGreaterThan(labels.length * 2);
    expect(unnamed).toEqual([]);
    app.expectClean();
  });

  it('reaches the navigation and the Keys view controls with Tab from the top of the page', async () => {
    const { page } = app;
    // A fresh load straight into the Keys view: nothing focused, Tab starts at the top.
    const url = new URL(app.bridge.pageUrl);
    url.hash = '#/keys';
    await page.goto(url.href);
    await page.locator('main[data-view-label="Keys"]').waitFor();
    await page.getByRole('listbox', { name: 'Identities' }).getByRole('option').first().waitFor();
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
    const reached: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return 'body';
          const where = el.closest('nav') ? 'nav' : el.closest('main') ? 'main' : 'frame';
          const name = el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '';
          return `${where}:${el.tagName.toLowerCase()}:${name}`;
        }),
      );
    }
    expect(reached).toContain('nav:a:Keys');
    expect(reached).toContain('nav:a:Settings');
    expect(reached).toContain('main:input:Search keys by name, tag or key');
    expect(reached).toContain('main:button:New key…');
    // The navigation comes before the view.
    expect(reached.indexOf('nav:a:Keys')).toBeLessThan(reached.indexOf('main:input:Search keys by name, tag or key'));
    // A focused control shows a visible focus ring.
    await page.getByRole('searchbox', { name: 'Search keys by name, tag or key' }).focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    app.expectClean();
  });

  const bodyBackground = () => app.page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  it('paints dark when Dark is chosen in Settings, keeps it over a reload, and light again when Light is chosen', async () => {
    const { page } = app;
    await page.emulateMedia({ colorScheme: 'light' });
    await app.go('Settings');
    await page.getByTestId('data-folder').waitFor();
    expect(await page.getByTestId('data-folder').innerText()).toBe(app.home);
    expect(await page.getByTestId('keychain-service').innerText()).toBe(app.keychainService);
    expect(luminance(await bodyBackground())).toBeGreaterThan(0.8);

    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(async () => luminance(await bodyBackground())).toBeLessThan(0.05);
    await app.open('/');
    expect(luminance(await bodyBackground())).toBeLessThan(0.05);
    await app.go('Settings');
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);

    await page.getByRole('radio', { name: 'Light' }).check();
    await expect.poll(async () => luminance(await bodyBackground())).toBeGreaterThan(0.8);
    // Light wins over a dark system.
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(luminance(await bodyBackground())).toBeGreaterThan(0.8);

    await page.getByRole('radio', { name: 'Same as the system' }).check();
    await expect.poll(async () => luminance(await bodyBackground())).toBeLessThan(0.05);
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(async () => luminance(await bodyBackground())).toBeGreaterThan(0.8);
    app.expectClean();
  });

  it('renders every view in both themes (system preference), with screenshots', async () => {
    const { page } = app;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const label of labels) {
        await app.go(label);
        await page.waitForLoadState('networkidle');
        const bg = luminance(await bodyBackground());
        if (scheme === 'dark') expect(bg, `${label} in dark`).toBeLessThan(0.05);
        else expect(bg, `${label} in light`).toBeGreaterThan(0.8);
        await app.screenshot(`view-${label.toLowerCase().replace(/\W+/g, '-')}-${scheme}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    app.expectClean();
  });
});
