// The team workspace's audit log: each entry hash-chained to the one before it and signed with
// its actor's own Ed25519 key (kept in that member's keychain; the public half registered in
// `members.signing_key`). Any member can check every entry; nobody can rewrite one unseen, the
// database owner included.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import type { AuditEvent, AuditVerdict } from '../store/audit-log.js';

/** Keychain accounts of the team workspace start with this (doctor leaves them alone). */
export const WORKSPACE_ACCOUNT_PREFIX = 'workspace:';

/** The keychain item holding the workspace password the app's Settings were given (never a file). */
export const WORKSPACE_PASSWORD_ACCOUNT = `${WORKSPACE_ACCOUNT_PREFIX}password`;

/** The keychain item holding a member's private signing key (PKCS#8 DER, base64). */
export function signingAccount(login: string): string {
  return `${WORKSPACE_ACCOUNT_PREFIX}signing:${login}`;
}

export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

export interface SignedAuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly details: AuditDetails | null;
  readonly prev: string;
  readonly hash: string;
  readonly signature: string;
}

/** JSON with object keys sorted at every level: the bytes a hash covers do not depend on key order (jsonb reorders). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function entryHash(e: Pick<SignedAuditEntry, 'seq' | 'at' | 'actor' | 'action' | 'subject' | 'details' | 'prev'>): string {
  const { seq, at, actor, action, subject, details, prev } = e;
  return createHash('sha256').update(canonicalJson({ seq, at, actor, action, subject, details: details ?? null, prev })).digest('hex');
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface SigningKey {
  readonly privateKey: KeyObject;
  /** base64 of the 32 raw public key bytes, as `members.signing_key` holds it. */
  readonly publicKey: string;
}

function publicKeyOf(privateKey: KeyObject): string {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32).toString('base64');
}

export function newSigningKey(): { readonly key: SigningKey; readonly stored: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const stored = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  return { key: { privateKey, publicKey: publicKeyOf(privateKey) }, stored };
}

/** The key as the keychain item holds it. */
export function signingKeyFrom(stored: string): SigningKey {
  const privateKey = createPrivateKey({ key: Buffer.from(stored, 'base64'), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

export function publicKeyFromRaw(raw: string): KeyObject | null {
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length !== 32) return null;
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, bytes]), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

/** The entries for `events`, chained after `head` and signed by `actor`. */
export function makeSignedEntries(
  head: { readonly seq: number; readonly hash: string },
  events: ReadonlyArray<AuditEvent>,
  at: string,
  actor: string,
  key: SigningKey,
): SignedAuditEntry[] {
  const entries: SignedAuditEntry[] = [];
  let { seq, hash: prev } = head;
  for (const event of events) {
    seq += 1;
    const body = { seq, at, actor, action: event.action, subject: event.subject, details: event.details ? { ...event.details } : null, prev };
    const hash = entryHash(body);
    entries.push({ ...body, hash, signature: sign(null, Buffer.from(hash, 'hex'), key.privateKey).toString('base64') });
    prev = hash;
  }
  return entries;
}

/**
 * Checks the chain from the first entry and each signature against its actor's registered key
 * (`keys`: login -> its base64 raw public keys: the registered one and any retired after a lost
 * keychain, so that older entries still verify). Names the first bad entry.
 */
export function verifySignedLog(entries: ReadonlyArray<SignedAuditEntry>, keys: ReadonlyMap<string, ReadonlyArray<string>>): AuditVerdict {
  const parsed = new Map<string, KeyObject[]>();
  const keysOf = (login: string): KeyObject[] => {
    if (!parsed.has(login)) parsed.set(login, (keys.get(login) ?? []).map(publicKeyFromRaw).filter((k): k is KeyObject => k !== null));
    return parsed.get(login)!;
  };
  let prev = '';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const fail = (reason: string): AuditVerdict => ({ ok: false, entries: entries.length, broken: { position: i + 1, seq: e.seq, reason } });
    if (e.seq !== i + 1) return fail(`expected entry ${i + 1} here, found entry ${e.seq} (an entry was deleted or moved)`);
    if (e.prev !== prev) return fail('it does not follow the entry before it (an entry was deleted, inserted or moved)');
    if (entryHash(e) !== e.hash) return fail(`its content does not match its hash (it was edited after ${e.actor} wrote it)`);
    const actorKeys = keysOf(e.actor);
    if (actorKeys.length === 0) return fail(`its actor ${e.actor} has no registered signing key`);
    const good = actorKeys.some((key) => {
      try {
        return verify(null, Buffer.from(e.hash, 'hex'), key, Buffer.from(e.signature ?? '', 'base64'));
      } catch {
        return false;
      }
    });
    if (!good) return fail(`its signature is not ${e.actor}'s (it was rewritten)`);
    prev = e.hash;
  }
  return { ok: true, entries: entries.length };
}
