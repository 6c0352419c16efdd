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
// The frame mounts once the view's code is in (or after FIRST_VIEW_WAIT_MS, whichever is first):
// the frame and the view then render in one task, and the browser paints them together instead
// of painting the frame with "Loading…" and then style, layout and paint once more for the view.
const FIRST_VIEW_WAIT_MS = 1000;
const firstView = viewForHash(window.location.hash);
const firstModule = Promise.resolve(viewModule(firstView));
if (/^#\/devices\/?$/.test(window.location.hash)) prefetchDevicesPage(client);
if (firstView.id === 'keys') prefetchKeysList(client);
if (firstView.id === 'peers') prefetchPeersList(client);
const waited = new Promise<void>((resolve) => setTimeout(resolve, FIRST_VIEW_WAIT_MS));
void Promise.race([firstModule, waited])
  .catch(() => undefined)
  .then(() => mount(App, { target, props: { client, status: new StatusCenter() } }));
