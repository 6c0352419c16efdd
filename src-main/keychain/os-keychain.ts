// The adapter to the OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service
// on Linux) through @github/keytar. Any failure becomes KeychainUnavailableError; there is no
// plaintext fallback.
import { createRequire } from 'node:module';
import { KeychainLockedError, KeychainUnavailableError } from '../core/errors.js';
import type { SecretStore } from '../core/ports/secret-store.js';

import type * as KeytarModule from '@github/keytar';

type Keytar = typeof KeytarModule;

const TIMEOUT_MS = 15_000;
/** How long a read that returned a secret counts as proof that the keychain is unlocked. */
const UNLOCKED_PROOF_MS = 2_000;

function loadKeytar(): Keytar {
  try {
    return createRequire(import.meta.url)('@github/keytar') as Keytar;
  } catch (error) {
    throw new KeychainUnavailableError(
      `the OS keychain module could not be loaded (${(error as Error).message.split('\n')[0]}); ` +
        'reinstall Curvekeep, and on Linux install libsecret (e.g. `apt install libsecret-1-0`)',
    );
  }
}

/** The account of the throwaway item that tells a locked keychain from a missing item. */
export const LOCK_PROBE_ACCOUNT = 'probe:unlocked';

function lockedError(service: string): KeychainLockedError {
  const what = process.platform === 'linux' ? 'the Secret Service collection (your login keyring)' : 'the login keychain';
  return new KeychainLockedError(`the OS keychain is locked (service "${service}", ${what}); nothing was read or changed`);
}

function explain(service: string, error: unknown): KeychainUnavailableError | KeychainLockedError {
  if (error instanceof KeychainLockedError) return error;
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  // libsecret: "Cannot create an item in a locked collection"; macOS: "...keychain is locked".
  if (reason && /\blocked\b/i.test(reason)) return lockedError(service);
  const hint =
    process.platform === 'linux'
      ? 'start and unlock a Secret Service keyring (GNOME Keyring or KWallet) in this session'
      : 'unlock the login keychain';
  // keytar's messages name the operation and the D-Bus or OS error, never a secret value.
  return new KeychainUnavailableError(`the OS keychain (service "${service}") is unavailable: ${reason}; ${hint}`);
}

/**
 * A Secret Service search returns item paths, then reads each: an item another process deletes in
 * between (any service of the same collection) fails the whole call with "No such interface
 * org.freedesktop.Secret.Item" or "No such object". Seen when several processes share one
 * keyring; the same call again is answered from the collection as it is now.
 */
const TRANSIENT_ATTEMPTS = 4;

function isTransient(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /No such interface|No such object|No such secret item|Object does not exist|UnknownObject|UnknownMethod/i.test(message) && /Secret\.Item|\/org\/freedesktop\/secrets/.test(message);
}

/**
 * keytar's findCredentials searches a service's items, then reads all their secrets: an item
 * deleted in between gets a NULL secret, and keytar's libsecret code then fails the call or takes
 * the process down ("secret_value_get_text: assertion 'value' failed"). In one process the app's
 * overview listed the items while an import's lock probe made and deleted its item. So in this
 * process, per service, a listing waits for the writes under way, and writes wait for a listing.
 */
interface Traffic {
  readonly writes: Set<Promise<unknown>>;
  listing: Promise<unknown> | null;
  /** The lock probe under way (see assertUnlocked). */
  probe: Promise<void> | null;
}
const trafficByService = new Map<string, Traffic>();

function trafficOf(service: string): Traffic {
  let traffic = trafficByService.get(service);
  if (!traffic) trafficByService.set(service, (traffic = { writes: new Set(), listing: null, probe: null }));
  return traffic;
}

async function asWrite<T>(service: string, operation: () => Promise<T>): Promise<T> {
  const traffic = trafficOf(service);
  while (traffic.listing) await traffic.listing.catch(() => undefined);
  const run = operation();
  traffic.writes.add(run);
  try {
    return await run;
  } finally {
    traffic.writes.delete(run);
  }
}

function asListing<T>(service: string, operation: () => Promise<T>): Promise<T> {
  const traffic = trafficOf(service);
  const before = traffic.listing;
  const run = (async () => {
    await before?.catch(() => undefined);
    await Promise.allSettled([...traffic.writes]);
    return operation();
  })();
  traffic.listing = run;
  const done = (): void => {
    if (traffic.listing === run) traffic.listing = null;
  };
  run.then(done, done);
  return run;
}

export class OsKeychain implements SecretStore {
  readonly #service: string;
  #keytar: Keytar | undefined;
  /** Reads started by prefetch, each used by the next get of its account (once). */
  readonly #early = new Map<string, Promise<string | null>>();
  /** When a read last returned a secret: a locked collection returns none (see assertUnlocked). */
  #answeredAt = -Infinity;

  constructor(service: string) {
    this.#service = service;
  }

  get description(): string {
    return `OS keychain, service "${this.#service}"`;
  }

  async #call<T>(operation: (keytar: Keytar) => Promise<T>): Promise<T> {
    this.#keytar ??= loadKeytar();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
      timer.unref();
    });
    const keytar = this.#keytar;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await Promise.race([operation(keytar), timeout]);
        } catch (error) {
          if (attempt >= TRANSIENT_ATTEMPTS || !isTransient(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
        }
      }
    } catch (error) {
      throw explain(this.#service, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Starts reading these items now, one after the other, without waiting. A process's first
   * keychain call opens a Secret Service session (tens of milliseconds, off the main thread), so a
   * command that will read the store starts it before it loads its code. The next get of each
   * account takes its result (a failure included) once; set and delete of the account drop it.
   */
  prefetch(accounts: ReadonlyArray<string>): void {
    let previous: Promise<unknown> = Promise.resolve();
    for (const account of accounts) {
      const read = previous.then(() => this.#read(account));
      read.catch(() => undefined); // a get that takes it sees the error; unused, it is dropped
      this.#early.set(account, read);
      previous = read.catch(() => undefined);
    }
  }

  set(account: string, secret: string): Promise<void> {
    this.#early.delete(account);
    return asWrite(this.#service, () => this.#call((k) => k.setPassword(this.#service, account, secret)));
  }

  /**
   * Throws KeychainLockedError when the keychain is locked. A locked Secret Service collection
   * answers every read with "no such item", so the only safe question is a write: a throwaway
   * item is made and removed (libsecret refuses to create one in a locked collection).
   */
  assertUnlocked(): Promise<void> {
    // One probe at a time per service: two would make and delete the same item under each other.
    const traffic = trafficOf(this.#service);
    traffic.probe ??= this.#probe().finally(() => {
      traffic.probe = null;
    });
    return traffic.probe;
  }

  async #probe(): Promise<void> {
    await asWrite(this.#service, () => this.#call(async (k) => {
      try {
        await k.setPassword(this.#service, LOCK_PROBE_ACCOUNT, 'x');
      } catch (error) {
        if (/\blocked\b/i.test(error instanceof Error ? error.message : String(error))) throw lockedError(this.#service);
        throw error;
      }
      await k.deletePassword(this.#service, LOCK_PROBE_ACCOUNT);
    }));
  }

  async #read(account: string): Promise<string | null> {
    const value = await this.#call((k) => k.getPassword(this.#service, account));
    if (value !== null) this.#answeredAt = performance.now();
    return value;
  }

  async get(account: string): Promise<string | null> {
    const early = this.#early.get(account);
    this.#early.delete(account);
    const value = await (early ?? this.#read(account));
    // "No such item" may mean "locked": ask before anyone takes it for a deleted item.
    if (value === null) await this.assertUnlocked();
    return value;
  }

  async delete(account: string): Promise<boolean> {
    this.#early.delete(account);
    const found = await asWrite(this.#service, () => this.#call((k) => k.deletePassword(this.#service, account)));
    if (!found) await this.assertUnlocked();
    return found;
  }

  async accounts(): Promise<ReadonlyArray<string>> {
    // keytar's findCredentials crashes the process (a NULL secret in libsecret) on a locked
    // collection: never call it there. A read that returned a secret a moment ago proves it
    // unlocked without the probe (a write and a delete: `status` and `doctor` paid it every run).
    await Promise.allSettled(this.#early.values());
    if (performance.now() - this.#answeredAt > UNLOCKED_PROOF_MS) await this.assertUnlocked();
    const found = await asListing(this.#service, () => this.#call((k) => k.findCredentials(this.#service)));
    return found.map((c) => c.account).filter((a) => a !== LOCK_PROBE_ACCOUNT);
  }
}

export const DEFAULT_KEYCHAIN_SERVICE = 'curvekeep';

export function keychainServiceName(env: NodeJS.ProcessEnv = process.env): string {
  return env.CURVEKEEP_KEYCHAIN_SERVICE?.trim() || DEFAULT_KEYCHAIN_SERVICE;
}
