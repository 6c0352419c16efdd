import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assertKeyPairMatches, derivePublicKey, generateKeyPair, parsePublicKey, parseSecretKey, type PublicKey, type SecretKey } from '../../../src-main/core/curve/keys.js';
import { safetyCode, safetyCodesMatch } from '../../../src-main/core/curve/safety-code.js';
import { InvalidKeyError } from '../../../src-main/core/errors.js';

// The fixture table of ../shared/fixtures/README.md: files written by CZMQ 4.2.1 and pyzmq 24.
const FIXTURES = [
  ['czmq/gateway-07.cert_secret', 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ', '33829 91963 77419 84615 02228 54503'],
  ['czmq/plant-3-broker.cert_secret', 'dvqM9b>lx#Y2qZghP$J2wJLb0a#EM3o^92vC?gK{', '59808 98976 41342 13106 36159 83424'],
  ['pyzmq/field-laptop.key_secret', '^vYZh+^[o^P9%zlwy2DFeB)AsDZscJz&[BgAUsuj', '55786 42187 42640 99924 92218 24738'],
  ['pyzmq/sensor-0042.key_secret', 'v[3?5=7:2VbP31+KVGQG@&oqx{}n:=<YWEvnYGXk', '80240 15211 82945 64608 97434 76502'],
] as const;

function secretOf(file: string): SecretKey {
  const text = readFileSync(new URL(`../../fixtures/${file}`, import.meta.url), 'utf8');
  const match = /secret-key = "?([^"\r\n]+)"?/.exec(text);
  return match![1]!.trim() as SecretKey;
}

describe('CURVE keys', () => {
  it.each(FIXTURES)('derives the public key libzmq derived for %s', (file, publicKey) => {
    expect(derivePublicKey(secretOf(file))).toBe(publicKey);
  });

  it.each(FIXTURES)('gives the safety code of the fixture table for %s', (_file, publicKey, code) => {
    expect(safetyCode(publicKey as PublicKey)).toBe(code);
  });

  it('makes key pairs whose public key follows from the secret', () => {
    for (let i = 0; i < 20; i++) {
      const pair = generateKeyPair();
      expect(pair.publicKey).toHaveLength(40);
      expect(derivePublicKey(pair.secretKey)).toBe(pair.publicKey);
    }
  });

  it('refuses a secret that does not belong to the public key, without printing the secret', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(() => assertKeyPairMatches(a.publicKey, b.secretKey)).toThrow(InvalidKeyError);
    try {
      assertKeyPairMatches(a.publicKey, b.secretKey);
    } catch (error) {
      expect((error as Error).message).not.toContain(b.secretKey);
    }
  });

  it('names what is wrong with a malformed key', () => {
    expect(() => parsePublicKey('short')).toThrow(/must be 40 Z85 characters, got 5/);
    expect(() => parsePublicKey('GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>s"')).toThrow(/position 40/);
    const secret = generateKeyPair().secretKey;
    const bad = `${secret.slice(0, 39)}~`;
    expect(() => parseSecretKey(bad)).toThrow(/position 40/);
    try {
      parseSecretKey(bad);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret.slice(0, 20));
    }
  });

  it('compares spoken safety codes ignoring spaces and dashes', () => {
    const code = safetyCode(FIXTURES[0][1] as PublicKey);
    expect(safetyCodesMatch(code, '338299196377419846150222854503')).toBe(true);
    expect(safetyCodesMatch(code, '33829-91963-77419-84615-02228-54503')).toBe(true);
    expect(safetyCodesMatch(code, '33829 91963 77419 84615 02228 54504')).toBe(false);
    expect(safetyCodesMatch(code, '33829')).toBe(false);
  });
});
