// X25519 base-point multiplication: the public key of a CURVE secret key, as libzmq's
// zmq_curve_public computes it. Two implementations, one answer:
//
// - OpenSSL, through node:crypto: about 30 us a key, nothing to load. The first keys of a process
//   go through it, so a command that checks one key pair (a link test, one cert file) pays nothing.
// - libsodium, through sodium-native's prebuilt binding: about 19 us a key once loaded, and opening
//   the binary takes about 3 ms. From the 65th key on (reading a folder of cert files, an import),
//   a process uses it; where it does not load (no prebuilt binary for the platform), OpenSSL goes on.
import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The 32-byte public key of a 32-byte secret key. */
export type X25519Base = (secret: Uint8Array) => Uint8Array;

const KEY_BYTES = 32;

// The raw private key goes in as a JWK, which Node imports with EVP_PKEY_new_raw_private_key (and
// OpenSSL computes the public key then); the PKCS#8 form would go through OpenSSL 3's decoder
// framework, about 0.8 ms a key. Node requires the JWK's `x` member but does not use it for a
// private key: it is given as zeros, and the `x` read back is OpenSSL's own computation. Should a
// Node ever refuse that JWK, the PKCS#8 form is used from then on.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const UNUSED_X = Buffer.alloc(KEY_BYTES).toString('base64url');
let jwkImport = true;

export const x25519ByOpenSsl: X25519Base = (secret) => {
  const raw = Buffer.from(secret.buffer, secret.byteOffset, secret.length);
  if (jwkImport) {
    try {
      const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: raw.toString('base64url'), x: UNUSED_X }, format: 'jwk' });
      const { x } = privateKey.export({ format: 'jwk' });
      if (typeof x === 'string') return Buffer.from(x, 'base64url');
    } catch {
      // Fall through to PKCS#8 (the error could only be about the JWK's form, never the key).
    }
    jwkImport = false;
  }
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const { x } = privateKey.export({ format: 'jwk' });
  return Buffer.from(x as string, 'base64url');
};

type ScalarmultBase = (q: Uint8Array, n: Uint8Array) => number;

/**
 * libsodium's crypto_scalarmult_base, or undefined where sodium-native does not load
 * (`prebuiltFile`: where its binary for this platform is looked for first). Its own
 * loader (require-addon and the bare-* modules it brings) takes 40-55 ms; the prebuilt binary for
 * this platform, opened directly, about 3 ms. The raw binding asserts its buffers' sizes in C (a
 * wrong size would abort the process), so every call here passes 32 bytes.
 */
export function loadLibsodiumX25519(prebuiltFile?: string): X25519Base | undefined {
  try {
    const requireHere = createRequire(import.meta.url);
    const prebuilt = prebuiltFile ?? join(dirname(requireHere.resolve('sodium-native/package.json')), 'prebuilds', `${process.platform}-${process.arch}`, 'sodium-native.node');
    let binding: { crypto_scalarmult_base?: unknown };
    if (existsSync(prebuilt)) {
      const module = { exports: {} };
      process.dlopen(module, prebuilt);
      binding = module.exports;
    } else {
      // Its own loader (a binary built from source, say), for the raw binding: index.js's wrapper
      // of crypto_scalarmult_base returns nothing, where the binding returns libsodium's status.
      binding = requireHere('sodium-native/binding.js') as typeof binding;
    }
    if (typeof binding.crypto_scalarmult_base !== 'function') return undefined;
    const scalarmultBase = binding.crypto_scalarmult_base as ScalarmultBase;
    return (secret) => {
      if (secret.length !== KEY_BYTES) throw new RangeError(`an X25519 secret key is ${KEY_BYTES} bytes`);
      const publicKey = Buffer.alloc(KEY_BYTES);
      if (scalarmultBase(publicKey, secret) !== 0) throw new Error('libsodium refused the secret key');
      return publicKey;
    };
  } catch {
    return undefined;
  }
}

/** How many keys a process derives through OpenSSL before it loads libsodium. */
const OPENSSL_FIRST = 64;
let derived = 0;
/** undefined: not loaded yet; null: does not load here. */
let libsodium: X25519Base | null | undefined;

/** The public key of a secret key; see the top of this file for which implementation runs. */
export function x25519PublicKey(secret: Uint8Array): Uint8Array {
  if (derived < OPENSSL_FIRST) {
    derived++;
    return x25519ByOpenSsl(secret);
  }
  libsodium ??= loadLibsodiumX25519() ?? null;
  return (libsodium ?? x25519ByOpenSsl)(secret);
}
