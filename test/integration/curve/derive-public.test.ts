// derivePublicKey (and both X25519 implementations behind it) against libzmq's own zmq_curve_public (through pyzmq's zmq.curve_public), for
// random secrets and for the edge values of the scalar (X25519 clamps the secret, so secrets that
// differ only in clamped bits have one public key). The fixture files are in test/unit/curve.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivePublicKey, type SecretKey } from '../../../src-main/core/curve/keys.js';
import { loadLibsodiumX25519, x25519ByOpenSsl } from '../../../src-main/core/curve/x25519.js';
import { z85Decode, z85Encode } from '../../../src-main/core/curve/z85.js';

/** Public keys that libzmq derives for the given Z85 secrets, in order. */
function libzmqPublicKeys(secrets: ReadonlyArray<string>): string[] {
  const code = 'import sys, json, zmq\nprint(json.dumps([zmq.curve_public(s.encode()).decode() for s in json.load(sys.stdin)]))';
  const run = spawnSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(secrets), encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`pyzmq failed (${run.status ?? run.signal}): ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

describe('derivePublicKey', () => {
  it('gives libzmq\'s public key for 300 random secrets and the edge scalars', () => {
    const edges = [Buffer.alloc(32, 0), Buffer.alloc(32, 0xff), Buffer.from([1, ...Array<number>(31).fill(0)]), Buffer.from([...Array<number>(31).fill(0), 0x80])];
    const secrets = [...edges, ...Array.from({ length: 300 }, () => randomBytes(32))].map((bytes) => z85Encode(bytes));
    const expected = libzmqPublicKeys(secrets);
    expect(secrets.map((secret) => derivePublicKey(secret as SecretKey))).toEqual(expected);
    // Both implementations behind it (OpenSSL for a process's first keys, then libsodium), each on its own.
    const libsodium = loadLibsodiumX25519()!;
    expect(secrets.map((secret) => z85Encode(x25519ByOpenSsl(z85Decode(secret))))).toEqual(expected);
    expect(secrets.map((secret) => z85Encode(libsodium(z85Decode(secret))))).toEqual(expected);
    // The check can fail: a different secret gives a different key.
    expect(derivePublicKey(secrets[5]! as SecretKey)).not.toBe(expected[6]);
  });
});
