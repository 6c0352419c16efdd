// CURVE keys: 32 bytes, written as 40 Z85 characters.
import { createRequire } from 'node:module';
import type * as Zeromq from 'zeromq';
import { InvalidKeyError } from '../errors.js';
import { x25519PublicKey } from './x25519.js';
import { z85Decode, z85Encode } from './z85.js';

/** A CURVE public key in Z85 (40 characters). */
export type PublicKey = string & { readonly __brand: 'PublicKey' };
/** A CURVE secret key in Z85 (40 characters). Never logged, never in an error. */
export type SecretKey = string & { readonly __brand: 'SecretKey' };

export interface KeyPair {
  readonly publicKey: PublicKey;
  readonly secretKey: SecretKey;
}

export const KEY_LENGTH = 40;

/** Checks a Z85 key and returns its 32 bytes; `what` names the key in the message. */
function decodeKey(text: string, what: string, showValue: boolean): Uint8Array {
  const shown = showValue ? ` ${JSON.stringify(text)}` : '';
  if (text.length !== KEY_LENGTH) {
    throw new InvalidKeyError(`${what}${shown} must be ${KEY_LENGTH} Z85 characters, got ${text.length}`);
  }
  try {
    return z85Decode(text);
  } catch (error) {
    throw new InvalidKeyError(`${what}${shown}: ${(error as Error).message}`);
  }
}

export function parsePublicKey(text: string, what = 'public key'): PublicKey {
  const trimmed = text.trim();
  decodeKey(trimmed, what, true);
  return trimmed as PublicKey;
}

/** Validates a secret key; the message never repeats its value. */
export function parseSecretKey(text: string, what = 'secret key'): SecretKey {
  const trimmed = text.trim();
  decodeKey(trimmed, what, false);
  return trimmed as SecretKey;
}

/** The key's 32 bytes; into `into` (32 bytes, reused by the caller) when given. */
export function publicKeyBytes(key: PublicKey, into?: Uint8Array): Uint8Array {
  return z85Decode(key, into);
}

// zeromq's native module is loaded on first use: listing or exporting keys never needs it.
let curveKeyPair: (() => { publicKey: string; secretKey: string }) | undefined;

export function generateKeyPair(): KeyPair {
  curveKeyPair ??= (createRequire(import.meta.url)('zeromq') as typeof Zeromq).curveKeyPair;
  const pair = curveKeyPair();
  return { publicKey: pair.publicKey as PublicKey, secretKey: pair.secretKey as SecretKey };
}

/** The public key of a secret key, as libzmq's zmq_curve_public computes it. */
export function derivePublicKey(secretKey: SecretKey): PublicKey {
  return z85Encode(x25519PublicKey(decodeKey(secretKey, 'secret key', false))) as PublicKey;
}

/** Throws when a secret key does not belong to the public key stated beside it. */
export function assertKeyPairMatches(publicKey: PublicKey, secretKey: SecretKey): void {
  if (derivePublicKey(secretKey) !== publicKey) {
    throw new InvalidKeyError(
      `the secret key does not belong to public key ${publicKey} (its public key is different)`,
    );
  }
}
