// The two X25519 implementations behind derivePublicKey (x25519.ts): OpenSSL for the first keys of
// a process, libsodium's prebuilt binding after that. Both must give libzmq's public key; the
// comparison with libzmq itself is test/integration/curve/derive-public.test.ts.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { derivePublicKey, generateKeyPair, type SecretKey } from '../../../src-main/core/curve/keys.js';
import { loadLibsodiumX25519, x25519ByOpenSsl } from '../../../src-main/core/curve/x25519.js';
import { z85Decode, z85Encode } from '../../../src-main/core/curve/z85.js';

const libsodium = loadLibsodiumX25519();

describe('X25519 public keys', () => {
  it('loads libsodium from sodium-native\'s prebuilt binary here', () => {
    expect(libsodium).toBeTypeOf('function');
  });

  it('gives the fixtures\' public keys through both implementations', () => {
    for (const [file, publicKey] of [
      ['czmq/gateway-07.cert_secret', 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ'],
      ['pyzmq/sensor-0042.key_secret', 'v[3?5=7:2VbP31+KVGQG@&oqx{}n:=<YWEvnYGXk'],
    ] as const) {
      const secret = /secret-key = "?([^"\r\n]+)"?/.exec(readFileSync(new URL(`../../fixtures/${file}`, import.meta.url), 'utf8'))![1]!.trim();
      expect(z85Encode(x25519ByOpenSsl(z85Decode(secret)))).toBe(publicKey);
      expect(z85Encode(libsodium!(z85Decode(secret)))).toBe(publicKey);
    }
  });

  it('agrees between OpenSSL and libsodium for 2,000 random secrets and the edge scalars', () => {
    const edges = [Buffer.alloc(32, 0), Buffer.alloc(32, 0xff), Buffer.from([1, ...Array<number>(31).fill(0)]), Buffer.from([...Array<number>(31).fill(0), 0x80])];
    const secrets = [...edges, ...Array.from({ length: 2000 }, () => randomBytes(32))];
    const disagreeing = secrets.filter((secret) => !Buffer.from(libsodium!(secret)).equals(Buffer.from(x25519ByOpenSsl(secret))));
    expect(disagreeing).toEqual([]);
    // Not a constant: different secrets, different keys.
    expect(Buffer.from(libsodium!(secrets[4]!)).equals(Buffer.from(libsodium!(secrets[5]!)))).toBe(false);
  });

  it('keeps giving the right key after a process has switched to libsodium', () => {
    const pairs = Array.from({ length: 200 }, () => generateKeyPair());
    expect(pairs.filter((pair) => derivePublicKey(pair.secretKey as SecretKey) !== pair.publicKey)).toEqual([]);
  });

  it('works through sodium-native\'s own loader where there is no prebuilt binary to open', () => {
    const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
    const throughLoader = loadLibsodiumX25519('/nonexistent/prebuilds/sodium-native.node');
    expect(throughLoader).toBeTypeOf('function');
    expect(Buffer.from(throughLoader!(secret)).equals(Buffer.from(x25519ByOpenSsl(secret)))).toBe(true);
  });

  it('refuses a secret of the wrong length instead of passing it to C', () => {
    expect(() => libsodium!(new Uint8Array(31))).toThrow(RangeError);
  });
});
