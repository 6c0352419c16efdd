// The page's entry: theme first (no flash of the wrong colours), then the app frame.
import { mount } from 'svelte';
import App from './App.svelte';
import { createContractClient } from './lib/contract-client.js';
import { StatusCenter } from './lib/status.svelte.js';
import { applyTheme, loadThemeChoice } from './lib/theme.js';
import { prefetchDevicesPage } from './views/devices/devices-prefetch.js';
import { prefetchKeysList } from './views/keys/keys-prefetch.js';
import { prefetchPeersList } from './views/peers/peers-prefetch.js';
import { viewForHash, viewModule } from './views/registry.js';
import './styles/app.css';
import './styles/list-detail.css';

applyTheme(loadThemeChoice());
performance.mark('curvekeep:boot');

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const client = createContractClient();
// The first view's code is asked for before anything else, and its first page of data right after,
// so that both are on their way before the bridge or the main process starts on anything else.
// The frame mounts once both are in: the frame, the view and its first rows then render in one
// task, and the browser styles, lays out and paints them once, instead of painting the frame
// with "Loading…", then the empty view, then the rows. It waits FIRST_VIEW_WAIT_MS at most (a
// slow store, a team workspace far away); then the view shows its own "Loading…".
const FIRST_VIEW_WAIT_MS = 300;
const firstView = viewForHash(window.location.hash);
const firstModule = Promise.resolve(viewModule(firstView)).catch(() => undefined);
const firstPage =
  /^#\/devices\/?$/.test(window.location.hash) ? prefetchDevicesPage(client)
  : firstView.id === 'keys' ? prefetchKeysList(client)
  : firstView.id === 'peers' ? prefetchPeersList(client)
  : null;
const waited = new Promise<void>((resolve) => setTimeout(resolve, FIRST_VIEW_WAIT_MS));
void Promise.race([Promise.all([firstModule, firstPage]), waited]).then(() =>
  mount(App, { target, props: { client, status: new StatusCenter() } }),
);
