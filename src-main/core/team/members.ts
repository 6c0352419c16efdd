// Workspace members: the facts `workspace members` lists, a signing key's fingerprint, and the
// SCRAM-SHA-256 verifier a new password is sent as (the plain password never reaches the server).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import { MEMBER_ROLES, type MemberRole } from './connection.js';

export interface Member {
  readonly login: string;
  readonly role: MemberRole;
  /** The member's Ed25519 public key (base64 of 32 bytes), or null until they register it. */
  readonly signingKey: string | null;
  /** `SHA256:` + base64 of the key's SHA-256 (unpadded), or null. */
  readonly fingerprint: string | null;
  /** Keys the member signed with before an admin cleared them (older audit entries verify with these). */
  readonly retiredKeys: ReadonlyArray<string>;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** A short, comparable name for a signing key (read aloud or compared with the member's own). */
export function signingKeyFingerprint(publicKeyBase64: string): string {
  const raw = Buffer.from(publicKeyBase64, 'base64');
  return `SHA256:${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`;
}

export function parseMemberRole(text: string): MemberRole {
  if ((MEMBER_ROLES as ReadonlyArray<string>).includes(text)) return text as MemberRole;
  throw new InvalidInputError(`the role must be one of ${MEMBER_ROLES.join(', ')} (got ${JSON.stringify(text)})`);
}

const LOGIN = /^[a-z_][a-z0-9_.-]{0,62}$/;

export function checkLogin(login: string): string {
  if (!LOGIN.test(login) || login.startsWith('curvekeep_') || login.startsWith('pg_')) {
    throw new InvalidInputError(`the login ${JSON.stringify(login)} is not usable: lower-case letters, digits, _ . - (at most 63), not starting with curvekeep_ or pg_`);
  }
  return login;
}

export const SCRAM_ITERATIONS = 4096;

/**
 * The verifier PostgreSQL stores for a scram-sha-256 password (what `\password` in psql sends):
 * SCRAM-SHA-256$ITER:SALT$STOREDKEY:SERVERKEY. The password is used as its UTF-8 bytes.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  if (password.length === 0) throw new InvalidInputError('the password is empty');
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
