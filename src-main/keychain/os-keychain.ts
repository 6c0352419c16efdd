// The adapter to the OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service
// on Linux) through @github/keytar. Any failure becomes KeychainUnavailableError; there is no
// plaintext fallback.
import { createRequire } from 'node:module';
import { KeychainUnavailableError } from '../core/errors.js';
import type { SecretStore } from '../core/ports/secret-store.js';

import type * as KeytarModule from '@github/keytar';

type Keytar = typeof KeytarModule;

const TIMEOUT_MS = 15_000;

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

function explain(service: string, error: unknown): KeychainUnavailableError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const hint =
    process.platform === 'linux'
      ? 'start and unlock a Secret Service keyring (GNOME Keyring or KWallet) in this session'
      : 'unlock the login keychain';
  // keytar's messages name the operation and the D-Bus or OS error, never a secret value.
  return new KeychainUnavailableError(`the OS keychain (service "${service}") is unavailable: ${reason}; ${hint}`);
}

export class OsKeychain implements SecretStore {
  readonly #service: string;
  #keytar: Keytar | undefined;

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
    try {
      return await Promise.race([operation(this.#keytar), timeout]);
    } catch (error) {
      throw explain(this.#service, error);
    } finally {
      clearTimeout(timer);
    }
  }

  set(account: string, secret: string): Promise<void> {
    return this.#call((k) => k.setPassword(this.#service, account, secret));
  }

  get(account: string): Promise<string | null> {
    return this.#call((k) => k.getPassword(this.#service, account));
  }

  delete(account: string): Promise<boolean> {
    return this.#call((k) => k.deletePassword(this.#service, account));
  }

  async accounts(): Promise<ReadonlyArray<string>> {
    const found = await this.#call((k) => k.findCredentials(this.#service));
    return found.map((c) => c.account);
  }
}

export const DEFAULT_KEYCHAIN_SERVICE = 'curvekeep';

export function keychainServiceName(env: NodeJS.ProcessEnv = process.env): string {
  return env.CURVEKEEP_KEYCHAIN_SERVICE?.trim() || DEFAULT_KEYCHAIN_SERVICE;
}
