// What every core service works on: the data folder, its sealed document, the secret store and
// a clock (injected, so that due dates can be tested).
import { homedir } from 'node:os';
import type { ChangeFeed } from './ports/change-feed.js';
import { LocalChangeFeed } from './store/local-change-feed.js';
import { join } from 'node:path';
import type { SecretStore } from './ports/secret-store.js';
import { MetadataStore } from './store/metadata-store.js';

export interface Workspace {
  readonly home: string;
  readonly store: MetadataStore;
  readonly secrets: SecretStore;
  readonly now: () => Date;
  /** What the page's live refresh waits on; close it when the app or the bridge stops. */
  readonly changes: ChangeFeed;
}

export function createWorkspace(home: string, secrets: SecretStore, now: () => Date = () => new Date()): Workspace {
  const store = new MetadataStore(home, secrets, now);
  // Keychain items written during a store change are journaled, so that a crash leaves no orphan.
  return { home, store, secrets: store.secrets, now, changes: new LocalChangeFeed(home) };
}

/** The data folder shared by the app and the CLI: Electron's userData folder for "Curvekeep". */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.CURVEKEEP_HOME) return env.CURVEKEEP_HOME;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Curvekeep');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Curvekeep');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Curvekeep');
}
