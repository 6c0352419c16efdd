import { createHash, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { parsePin, pinDigest, pinOfPublicKey, pinOfSpki } from '../../../src-main/core/pins/pin.js';

const digest = createHash('sha256').update('a key').digest('base64');

describe('parsePin', () => {
  it('reads the OkHttp, curl and HPKP forms into sha256/BASE64', () => {
    for (const text of [`sha256/${digest}`, `sha256//${digest}`, `pin-sha256="${digest}"`, `pin-sha256="${digest}";`, `  SHA256/${digest} `, `pin-sha256=${digest}`]) {
      expect(parsePin(text)).toBe(`sha256/${digest}`);
    }
  });

  it('reads every 32-byte digest back, including those starting with "/"', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const b64 = Buffer.from(bytes).toString('base64');
        expect(parsePin(`sha256/${b64}`)).toBe(`sha256/${b64}`);
        expect(parsePin(`sha256//${b64}`)).toBe(`sha256/${b64}`);
        expect(parsePin(`pin-sha256="${b64}"`)).toBe(`sha256/${b64}`);
      }),
    );
    const slash = Buffer.alloc(32, 0xff);
    slash[0] = 0xfc; // base64 starts with '/'
    const b64 = slash.toString('base64');
    expect(b64.startsWith('/')).toBe(true);
    expect(parsePin(`sha256/${b64}`)).toBe(`sha256/${b64}`);
    expect(parsePin(`sha256//${b64}`)).toBe(`sha256/${b64}`);
  });

  it('says what is wrong', () => {
    expect(() => parsePin(digest)).toThrow(/must be written sha256\/BASE64/);
    expect(() => parsePin('sha1/AAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toThrow(/SHA-1/);
    expect(() => parsePin(`sha256/${digest.slice(0, 20)}!${digest.slice(21)}`)).toThrow(/character "!" at position 21 is not base64/);
    expect(() => parsePin(`sha256/${digest.slice(0, -1)}`)).toThrow(/length or padding/);
    expect(() => parsePin('sha256/AAAA')).toThrow(/decodes to 3 bytes; a SHA-256 pin is 32 bytes/);
    const sha1 = createHash('sha1').update('x').digest('base64');
    expect(() => parsePin(`sha256/${sha1}`)).toThrow(/decodes to 20 bytes/);
    expect(() => parsePin(`sha256/${digest.replace(/[+/]/g, '-')}-`)).toThrow(/URL-safe/);
    expect(() => parsePin('')).toThrow(InvalidInputError);
  });

  it('pinDigest gives the bare base64', () => {
    expect(pinDigest(`sha256/${digest}`)).toBe(digest);
  });
});

describe('pinOfPublicKey', () => {
  it('hashes the DER SubjectPublicKeyInfo for RSA, EC and Ed25519 keys, in PEM, DER and PKCS#1', () => {
    const pairs = [
      generateKeyPairSync('rsa', { modulusLength: 2048 }),
      generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      generateKeyPairSync('ec', { namedCurve: 'P-384' }),
      generateKeyPairSync('ed25519'),
    ];
    for (const { publicKey } of pairs) {
      const spki = publicKey.export({ type: 'spki', format: 'der' });
      const expected = `sha256/${createHash('sha256').update(spki).digest('base64')}`;
      expect(pinOfSpki(spki)).toBe(expected);
      expect(pinOfPublicKey(publicKey.export({ type: 'spki', format: 'pem' }))).toBe(expected);
      expect(pinOfPublicKey(spki)).toBe(expected);
      if (publicKey.asymmetricKeyType === 'rsa') expect(pinOfPublicKey(publicKey.export({ type: 'pkcs1', format: 'pem' }))).toBe(expected);
    }
  });

  it('refuses a private key and garbage', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => pinOfPublicKey(privateKey.export({ type: 'pkcs8', format: 'der' }))).toThrow(InvalidInputError);
    expect(() => pinOfPublicKey(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))).toThrow(/not a readable public key/);
  });
});
