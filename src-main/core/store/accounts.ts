// Every kind of keychain item Curvekeep writes, and which of them the document owns. An item of the
// Curvekeep service whose account is in none of these kinds, or names nothing in the document, is
// an orphan (left by an interrupted write): the recovery and `doctor --repair` remove it.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { DocumentData } from './document.js';

export const STORE_SEAL_ACCOUNT = 'seal:store';
export const AUDIT_SEAL_ACCOUNT = 'seal:audit';
export const SEAL_ACCOUNTS: ReadonlyArray<string> = [STORE_SEAL_ACCOUNT, AUDIT_SEAL_ACCOUNT];

/**
 * The sealed state (the document's revision and the audit head, to find a rolled-back copy) is
 * per data folder: several folders (`--home`) may share one keychain service.
 */
export const STATE_SEAL_PREFIX = 'seal:state:';

export function stateSealAccount(home: string): string {
  return `${STATE_SEAL_PREFIX}${createHash('sha256').update(resolve(home)).digest('hex').slice(0, 16)}`;
}

/** An identity's (or a provisioned device's) secret key, one item per key generation. */
export function identitySecretAccount(identityId: string, generation: number): string {
  return `identity:${identityId}:${generation}`;
}

/** A TLS backup key's private key (the same format as core/pins/backup-key.ts writes). */
export function pinBackupAccount(host: string, id: string): string {
  return `pin-backup:${host}:${id}`;
}

/** Generations whose secret is kept: retired and revoked ones have theirs deleted. */
const LIVE_STATES = new Set(['pending', 'current', 'previous']);

/** The keychain accounts the document of the data folder `home` owns (its seal accounts included). */
export function ownedAccounts(data: Readonly<DocumentData>, home: string): Set<string> {
  const owned = new Set(SEAL_ACCOUNTS);
  owned.add(stateSealAccount(home));
  for (const identity of data.identities) {
    for (const g of identity.generations) if (LIVE_STATES.has(g.state)) owned.add(identitySecretAccount(identity.id, g.generation));
  }
  for (const key of data.backupKeys) owned.add(pinBackupAccount(key.host, key.id));
  return owned;
}
