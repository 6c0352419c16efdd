// What every core service works on: the data folder, the store of the fleet's public data (the
// local sealed document, or a team workspace in PostgreSQL), the secret store and a clock
// (injected, so that due dates can be tested).
import { readFileSync } from 'node:fs';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { ChangeFeed } from './ports/change-feed.js';
import { LocalChangeFeed } from './store/local-change-feed.js';
import { join } from 'node:path';
import type { DocumentStore } from './ports/document-store.js';
import type { SecretStore } from './ports/secret-store.js';
import { InvalidInputError } from './errors.js';
import { WORKSPACE_PASSWORD_ACCOUNT } from './team/audit-signing.js';
import { MetadataStore } from './store/metadata-store.js';
import { PgStore } from './team/pg-store.js';
import { NotForWorkspaceError } from './team/store-errors.js';

export interface Workspace {
  readonly home: string;
  readonly store: DocumentStore;
  readonly secrets: SecretStore;
  readonly now: () => Date;
  /** What the page's live refresh waits on; close it when the app or the bridge stops. */
  readonly changes: ChangeFeed;
}

export interface WorkspaceOptions {
  /** A team workspace's `postgres://` URL (`--store`, CURVEKEEP_STORE, the app's Settings); absent: the local document. */
  readonly store?: string | null;
  /** The workspace's password when neither the URL nor PGPASSWORD holds one. */
  readonly password?: string;
  readonly connectTimeoutMs?: number;
}

export function createWorkspace(home: string, secrets: SecretStore, now: () => Date = () => new Date(), options: WorkspaceOptions = {}): Workspace {
  if (options.store) {
    const store = new PgStore(options.store, secrets, now, { password: options.password, connectTimeoutMs: options.connectTimeoutMs });
    // Keychain items written by a change the database refuses are removed again.
    return { home, store, secrets: store.secrets, now, changes: store.changeFeed() };
  }
  const store = new MetadataStore(home, secrets, now);
  // Keychain items written during a store change are journaled, so that a crash leaves no orphan.
  return { home, store, secrets: store.secrets, now, changes: new LocalChangeFeed(home) };
}

/** The local document of a workspace, for what only it has (reseal, journal, lock); refused for a team workspace. */
export function localStoreOf(ws: Workspace, operation: string): MetadataStore {
  if (ws.store instanceof MetadataStore) return ws.store;
  throw new NotForWorkspaceError(operation);
}

/** The PostgreSQL store of a team workspace, or null for the local document. */
export function teamStoreOf(ws: Workspace): PgStore | null {
  return ws.store instanceof PgStore ? ws.store : null;
}

/** Ends what the workspace holds open (the database connection): at the end of a CLI command, when the app quits. */
export async function closeWorkspace(ws: Workspace | undefined): Promise<void> {
  if (ws?.store instanceof PgStore) await ws.store.close();
}

/** The file in the data folder where the app's Settings keep the team workspace's URL (never a password). */
export const STORE_SETTING_FILE = 'store.json';

/**
 * Which store to open: `--store` (given), else CURVEKEEP_STORE, else the app's setting in the
 * data folder; null: the local document.
 */
export function storeUrlFor(home: string, given?: string | null, env: NodeJS.ProcessEnv = process.env): string | null {
  if (given) return given;
  if (env.CURVEKEEP_STORE) return env.CURVEKEEP_STORE;
  try {
    const setting = JSON.parse(readFileSync(join(home, STORE_SETTING_FILE), 'utf8')) as { store?: unknown };
    return typeof setting.store === 'string' && setting.store ? setting.store : null;
  } catch {
    return null;
  }
}

/**
 * The app's Settings: the team workspace to open from the next start (null: the local data
 * folder). The URL must require verified TLS (or name a Unix socket) and hold no password; a
 * password given goes to the keychain (`workspace:password`), never to the file.
 */
export async function saveStoreSetting(home: string, secrets: SecretStore, store: string | null, password?: string): Promise<{ readonly store: string | null }> {
  const file = join(home, STORE_SETTING_FILE);
  if (!store) {
    await unlink(file).catch(() => undefined);
    await secrets.delete(WORKSPACE_PASSWORD_ACCOUNT).catch(() => false);
    return { store: null };
  }
  const { parseStoreUrl, redactStoreUrl } = await import('./team/connection.js');
  const target = parseStoreUrl(store, { env: {} });
  if (target.password) throw new InvalidInputError(`leave the password out of the workspace URL (${redactStoreUrl(store)}): give it separately, it is kept in the keychain`);
  if (!target.login) throw new InvalidInputError('the workspace URL names no login: postgres://LOGIN@HOST:PORT/DATABASE?...');
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify({ store })}\n`, { mode: 0o600 });
  if (password) await secrets.set(WORKSPACE_PASSWORD_ACCOUNT, password);
  return { store };
}

/** The data folder shared by the app and the CLI: Electron's userData folder for "Curvekeep". */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.CURVEKEEP_HOME) return env.CURVEKEEP_HOME;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Curvekeep');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Curvekeep');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Curvekeep');
}
