// Own identities: key pairs whose secret lives in the keychain, one item per key generation.
import { basename } from 'node:path';
import { type KeyPair, type PublicKey, type SecretKey, generateKeyPair, parseSecretKey } from '../curve/keys.js';
import { InvalidInputError, NotFoundError, RefusedError } from '../errors.js';
import { checkEndpoint, checkName, checkTag, assertNameFree, newId, resolveRef } from '../names.js';
import { DEFAULT_ROTATION_DAYS, currentGeneration, pendingGeneration } from '../rotation/policy.js';
import type { DocumentData, Identity, Role } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { identitySecretAccount } from '../store/accounts.js';
import { type IdentityView, identityView } from './identity-view.js';
import { RowList } from '../row-list.js';

export function secretAccount(identityId: string, generation: number): string {
  return identitySecretAccount(identityId, generation);
}

export interface NewIdentity {
  readonly name: string;
  readonly role?: Role;
  readonly rotateEveryDays?: number | null;
  readonly endpoints?: ReadonlyArray<string>;
  readonly tags?: ReadonlyArray<string>;
}

function checkRotation(days: number | null | undefined, role: Role): number | null {
  if (days === undefined) return DEFAULT_ROTATION_DAYS[role];
  if (days === null) return null;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new InvalidInputError(`rotation period must be a whole number of days from 1 to 3650, got ${days}`);
  }
  return days;
}

/**
 * Stores an identity whose secret is already known: the secret goes into the keychain first, and
 * is removed again when the document refuses the identity (a duplicate name, say).
 */
async function addIdentity(ws: Workspace, input: NewIdentity, pair: KeyPair, audit: { action: string; details?: Record<string, string> }): Promise<IdentityView> {
  const name = checkName(input.name, 'identity');
  const role = input.role ?? 'client';
  const rotateEveryDays = checkRotation(input.rotateEveryDays, role);
  const endpoints = (input.endpoints ?? []).map(checkEndpoint);
  const tags = (input.tags ?? []).map(checkTag);
  const before = await ws.store.read();
  assertNameFree(before.data.identities, name, 'identity');
  const id = newId('id');
  const account = secretAccount(id, 1);
  try {
    return await ws.store.update(async (tx) => {
      assertNameFree(tx.data.identities, name, 'identity');
      // Written inside the change: the store journals it, so a crash leaves no orphan item.
      await ws.secrets.set(account, pair.secretKey);
      const createdAt = tx.now.toISOString();
      const identity: Identity = {
        id,
        name,
        role,
        tags,
        endpoints,
        createdAt,
        rotateEveryDays,
        generations: [{ generation: 1, publicKey: pair.publicKey, state: 'current', createdAt }],
      };
      tx.data.identities.push(identity);
      tx.audit({ action: audit.action, subject: name, details: { id, role, publicKey: pair.publicKey, ...audit.details } });
      return identityView(identity, tx.now);
    });
  } catch (error) {
    await ws.secrets.delete(account).catch(() => undefined);
    throw error;
  }
}

export function generateIdentity(ws: Workspace, input: NewIdentity): Promise<IdentityView> {
  return addIdentity(ws, input, generateKeyPair(), { action: 'identity.generated' });
}

/** Adopts a key pair made elsewhere (an imported secret file); its secret moves into the keychain. */
export function adoptIdentity(ws: Workspace, input: NewIdentity, pair: KeyPair, source: string): Promise<IdentityView> {
  return addIdentity(ws, input, pair, { action: 'identity.imported', details: { source: basename(source) } });
}

export async function listIdentities(ws: Workspace): Promise<ReadonlyArray<IdentityView>> {
  return [...(await identityRows(ws))];
}

/** The same views, each made when it is read (a printed list goes out a batch at a time). */
export async function identityRows(ws: Workspace): Promise<RowList<IdentityView>> {
  const { data } = await ws.store.read();
  const now = ws.now();
  return RowList.of(data.identities, (identity) => identityView(identity, now));
}

export function findIdentity(identities: ReadonlyArray<Identity>, ref: string): Identity {
  return resolveRef(identities, ref, 'identity');
}

export async function showIdentity(ws: Workspace, ref: string): Promise<IdentityView> {
  const { data } = await ws.store.read();
  return identityView(findIdentity(data.identities, ref), ws.now());
}

export interface IdentityKeyPair extends KeyPair {
  readonly identity: IdentityView;
  readonly generation: number;
}

/**
 * The key pair of an identity's current or pending generation, secret read from the keychain.
 * `data`: the document the caller has just read (one read, one sealed-state check, per operation).
 */
export async function identityKeyPair(
  ws: Workspace, ref: string, which: 'current' | 'pending' = 'current', data?: Readonly<DocumentData>,
): Promise<IdentityKeyPair> {
  data ??= (await ws.store.read()).data;
  const identity = findIdentity(data.identities, ref);
  const generation = which === 'current' ? currentGeneration(identity) : pendingGeneration(identity);
  if (!generation) throw new RefusedError(`identity ${identity.name} has no pending key; stage a rotation first`);
  const secret = await ws.secrets.get(secretAccount(identity.id, generation.generation));
  if (!secret) {
    throw new NotFoundError(
      `the secret key of ${identity.name} (generation ${generation.generation}) is missing from the ${ws.secrets.description}; ` +
        'it was removed outside Curvekeep or this is another keychain',
    );
  }
  return {
    identity: identityView(identity, ws.now()),
    generation: generation.generation,
    publicKey: generation.publicKey as PublicKey,
    secretKey: parseSecretKey(secret, `secret key of ${identity.name}`) as SecretKey,
  };
}

export interface DeletedIdentity {
  readonly id: string;
  readonly name: string;
  readonly secretsRemoved: number;
}

export async function deleteIdentity(ws: Workspace, ref: string): Promise<DeletedIdentity> {
  // The keychain items go once the document no longer holds the identity (journaled: a crash
  // after the commit leaves the deletes to the next command).
  let deletes: Promise<boolean>[] = [];
  const removed = await ws.store.update((tx) => {
    const identity = findIdentity(tx.data.identities, ref);
    tx.data.identities = tx.data.identities.filter((i) => i.id !== identity.id);
    tx.audit({ action: 'identity.deleted', subject: identity.name, details: { id: identity.id } });
    deletes = identity.generations.map((g) => tx.deleteSecret(secretAccount(identity.id, g.generation)));
    return identity;
  });
  const secretsRemoved = (await Promise.all(deletes)).filter(Boolean).length;
  return { id: removed.id, name: removed.name, secretsRemoved };
}
