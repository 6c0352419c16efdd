// The page's entry: theme first (no flash of the wrong colours), then the app frame.
import { mount } from 'svelte';
import App from './App.svelte';
import { createContractClient } from './lib/contract-client.js';
import { StatusCenter } from './lib/status.svelte.js';
import { applyTheme, loadThemeChoice } from './lib/theme.js';
import { prefetchDevicesPage } from './views/devices/devices-prefetch.js';
import { prefetchKeysList } from './views/keys/keys-prefetch.js';
import { prefetchPeersList } from './views/peers/peers-prefetch.js';
import { viewForHash } from './views/registry.js';
import './styles/app.css';
import './styles/list-detail.css';

applyTheme(loadThemeChoice());
performance.mark('curvekeep:boot');

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const client = createContractClient();
// The first view's code is asked for before anything else, so that its files are on their way
// while this script mounts the frame (the App awaits the same promise), and are answered before
// the bridge or the main process starts on the data the view needs.
void viewForHash(window.location.hash).load();
if (/^#\/devices\/?$/.test(window.location.hash)) prefetchDevicesPage(client);
if (viewForHash(window.location.hash).id === 'keys') prefetchKeysList(client);
if (viewForHash(window.location.hash).id === 'peers') prefetchPeersList(client);
mount(App, { target, props: { client, status: new StatusCenter() } });
