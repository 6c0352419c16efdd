import { describe, expect, it } from 'vitest';
import { generateKeyPair, type PublicKey, type SecretKey } from '../../../src-main/core/curve/keys.js';
import { safetyCode } from '../../../src-main/core/curve/safety-code.js';
import { InvalidInputError, InvalidKeyError } from '../../../src-main/core/errors.js';
import { formatKeyJson, KEY_JSON_FORMAT, parseKeyJson } from '../../../src-main/core/formats/key-json.js';

const GATEWAY_KEY = 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ' as PublicKey;
const GATEWAY_SECRET = 'FN9[]sW3r.Fu9&kRsU8)JDmjZnB5%H<nQlQQeRf^' as SecretKey;
const BROKER_SECRET = 'JzrRoX8jWDIOcnzhEq*e!}m=fkg5O>LiO2aS!XTM' as SecretKey;

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('formatKeyJson', () => {
  it('writes the public key with its safety code and the format tag, and no secret unless given', () => {
    const text = formatKeyJson({ name: 'gateway-07', role: 'server', publicKey: GATEWAY_KEY, safetyCode: safetyCode(GATEWAY_KEY), endpoints: ['tcp://127.0.0.7:5555'] });
    expect(JSON.parse(text)).toEqual({
      format: KEY_JSON_FORMAT,
      name: 'gateway-07',
      role: 'server',
      publicKey: GATEWAY_KEY,
      safetyCode: '33829 91963 77419 84615 02228 54503',
      endpoints: ['tcp://127.0.0.7:5555'],
    });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "format": "curvekeep-key/1",\n');
    expect(text).not.toContain('secretKey');
  });

  it('adds the secret only when one is passed, and only a matching one', () => {
    const withSecret = formatKeyJson({ name: 'gw', publicKey: GATEWAY_KEY, safetyCode: safetyCode(GATEWAY_KEY), secretKey: GATEWAY_SECRET });
    expect(JSON.parse(withSecret).secretKey).toBe(GATEWAY_SECRET);
    const error = thrown(() => formatKeyJson({ name: 'gw', publicKey: GATEWAY_KEY, safetyCode: safetyCode(GATEWAY_KEY), secretKey: BROKER_SECRET }));
    expect(error).toBeInstanceOf(InvalidKeyError);
    expect(error.message).not.toContain(BROKER_SECRET);
  });

  it('refuses a safety code that is not the key\'s', () => {
    expect(() => formatKeyJson({ name: 'gw', publicKey: GATEWAY_KEY, safetyCode: '00000 00000 00000 00000 00000 00000' })).toThrow(InvalidKeyError);
  });
});

describe('parseKeyJson', () => {
  it('round-trips with and without a secret', () => {
    const pair = generateKeyPair();
    const code = safetyCode(pair.publicKey);
    const input = { name: 'sensor-0042', role: 'device', publicKey: pair.publicKey, safetyCode: code, endpoints: ['tcp://a:1', 'tcp://b:2'] };
    expect(parseKeyJson(formatKeyJson(input), 'k.json')).toEqual({ ...input, secretKey: null });
    expect(parseKeyJson(formatKeyJson({ ...input, secretKey: pair.secretKey }), 'k.json')).toEqual({ ...input, secretKey: pair.secretKey });
  });

  it('reads a minimal hand-written file', () => {
    expect(parseKeyJson(`\uFEFF{"name": "gw", "publicKey": "${GATEWAY_KEY}"}`, 'hand.json')).toEqual({
      name: 'gw',
      role: null,
      publicKey: GATEWAY_KEY,
      safetyCode: safetyCode(GATEWAY_KEY),
      endpoints: [],
      secretKey: null,
    });
  });

  it.each([
    ['a wrong format tag', `{"format": "other/2", "name": "gw", "publicKey": "${GATEWAY_KEY}"}`, InvalidInputError, /^k\.json has format "other\/2"; this version of Curvekeep reads "curvekeep-key\/1"/],
    ['a JSON array', '[1, 2]', InvalidInputError, /^k\.json is not a key file/],
    ['no name', `{"publicKey": "${GATEWAY_KEY}"}`, InvalidInputError, /^k\.json: field name: /],
    ['endpoints that are not strings', `{"name": "gw", "publicKey": "${GATEWAY_KEY}", "endpoints": [5]}`, InvalidInputError, /^k\.json: field endpoints\.0: /],
    ['a bad public key', '{"name": "gw", "publicKey": "abc"}', InvalidKeyError, /^publicKey in k\.json "abc" must be 40 Z85 characters/],
    ['a safety code of another key', `{"name": "gw", "publicKey": "${GATEWAY_KEY}", "safetyCode": "11111 11111 11111 11111 11111 11111"}`, InvalidKeyError, /its safetyCode does not match its publicKey/],
    ['a secret of another key', `{"name": "gw", "publicKey": "${GATEWAY_KEY}", "secretKey": "${BROKER_SECRET}"}`, InvalidKeyError, /its secretKey does not belong to its publicKey/],
    ['a short secret', `{"name": "gw", "publicKey": "${GATEWAY_KEY}", "secretKey": "${GATEWAY_SECRET.slice(1)}"}`, InvalidKeyError, /^secretKey in k\.json must be 40 Z85 characters, got 39/],
    ['a binary file', '\u0000\u0001{}', InvalidInputError, /binary file/],
    ['an oversized file', `{"name": "${'x'.repeat(70_000)}"}`, InvalidInputError, /too large/],
  ])('refuses %s', (_what, text, type, pattern) => {
    const error = thrown(() => parseKeyJson(text, 'k.json'));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(pattern);
    expect(error.message).not.toContain(BROKER_SECRET);
    expect(error.message).not.toContain(GATEWAY_SECRET.slice(1, 12));
  });

  it('names where broken JSON breaks, never the text around it (it may be a secret)', () => {
    const broken = `{\n  "name": "gw",\n  "secretKey": "${GATEWAY_SECRET}" "publicKey": "${GATEWAY_KEY}"\n}`;
    const error = thrown(() => parseKeyJson(broken, 'broken.json'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^broken\.json is not valid JSON at line 3, column \d+$/);
    expect(error.message).not.toContain(GATEWAY_SECRET.slice(0, 8));
    const truncated = `{"name": "gw", "secretKey": "${GATEWAY_SECRET}`;
    expect(thrown(() => parseKeyJson(truncated, 'cut.json')).message).not.toContain(GATEWAY_SECRET.slice(0, 8));
  });
});
