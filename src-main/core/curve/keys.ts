// CURVE keys: 32 bytes, written as 40 Z85 characters.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Zeromq from 'zeromq';
import { InvalidKeyError } from '../errors.js';
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

// X25519 base-point multiplication by OpenSSL, as libzmq's zmq_curve_public does it. The raw
// private key goes in as a JWK, which Node imports with EVP_PKEY_new_raw_private_key; the PKCS#8
// form would go through OpenSSL 3's decoder framework, which costs about 0.8 ms per key (reading a
// secret cert file was 1,235/s with it, and is tens of thousands per second without it). Node
// requires the JWK's `x` member but does not use it for a private key: it is given as zeros, and
// the public key read back is OpenSSL's own computation. Should a Node ever refuse that JWK, the
// PKCS#8 form is used from then on.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const UNUSED_X = Buffer.alloc(32).toString('base64url');
let rawImport = true;

function x25519PublicKey(raw: Uint8Array): Buffer {
  if (rawImport) {
    try {
      const privateKey = createPrivateKey({
        key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('base64url'), x: UNUSED_X },
        format: 'jwk',
      });
      const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
      if (typeof x === 'string') return Buffer.from(x, 'base64url');
    } catch {
      // Fall through to PKCS#8 (the error could only be about the JWK's form, never the key).
    }
    rawImport = false;
  }
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32);
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
