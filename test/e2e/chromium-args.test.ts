// The browser the e2e tests and the UI bench use runs with Playwright's disabled features and
// ours: Chromium keeps only the last --disable-features switch, so ours must carry Playwright's.
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, OMNIBOX_FEATURES } from './chromium-args.mjs';
import { CHROMIUM_PATH } from './harness.js';

describe('the Chromium command line', () => {
  it('has one effective --disable-features list holding Playwright\'s features and the omnibox popup\'s', async () => {
    // --enable-automation only lets the browser tell its command line (Browser.getBrowserCommandLine).
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--enable-automation'] });
    try {
      const session = await browser.newBrowserCDPSession();
      const { arguments: argv } = (await session.send('Browser.getBrowserCommandLine')) as { arguments: string[] };
      const lists = argv.filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','));
      expect(lists.length).toBeGreaterThan(0);
      const effective = lists.at(-1)!;
      for (const list of lists) for (const feature of list) expect(effective, `${feature} is dropped by the last --disable-features`).toContain(feature);
      for (const feature of OMNIBOX_FEATURES) expect(effective).toContain(feature);
    } finally {
      await browser.close();
    }
  });
});
