// The Chromium command line for the e2e tests (test/e2e/harness.ts) and the UI bench
// (bench/ui.bench.mjs): one list, so that the figures are measured in the browser the tests use.

/**
 * Playwright's own --disable-features list (playwright-core's chromiumSwitches.ts, 1.64).
 * Chromium keeps only the last --disable-features switch on a command line and drops the others
 * whole, so the switch below carries Playwright's features as well as ours;
 * test/e2e/chromium-args.test.ts reads the browser's command line and fails when a Playwright
 * upgrade adds one that this list lacks.
 */
export const PLAYWRIGHT_DISABLED_FEATURES = Object.freeze([
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
]);

/**
 * Headless Chromium (156 here) still builds the omnibox popup's WebUI, a renderer of its own that
 * took about 1.5 s of CPU per browser context on this 2-core machine, beside the page under test.
 * Curvekeep's window has no omnibox (Electron shows the page alone): switched off.
 */
export const OMNIBOX_FEATURES = Object.freeze(['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup']);

export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_FEATURES].join(',')}`,
]);
