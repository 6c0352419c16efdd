import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { derivePublicKey, generateKeyPair, type PublicKey, type SecretKey } from '../../../src-main/core/curve/keys.js';
import { safetyCode } from '../../../src-main/core/curve/safety-code.js';
import { InvalidInputError, InvalidKeyError } from '../../../src-main/core/errors.js';
import {
  certFileNames,
  certMetadataName,
  formatCertFile,
  parseCertFile,
  type CertFlavour,
} from '../../../src-main/core/formats/cert-file.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

// Expected values from ../shared/fixtures/README.md (made by CZMQ 4.2.1 and pyzmq 24).
const FIXTURES = [
  { file: 'czmq/gateway-07', flavour: 'zcert', publicKey: 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ', code: '33829 91963 77419 84615 02228 54503' },
  { file: 'czmq/plant-3-broker', flavour: 'zcert', publicKey: 'dvqM9b>lx#Y2qZghP$J2wJLb0a#EM3o^92vC?gK{', code: '59808 98976 41342 13106 36159 83424' },
  { file: 'pyzmq/field-laptop', flavour: 'pyzmq', publicKey: '^vYZh+^[o^P9%zlwy2DFeB)AsDZscJz&[BgAUsuj', code: '55786 42187 42640 99924 92218 24738' },
  { file: 'pyzmq/sensor-0042', flavour: 'pyzmq', publicKey: 'v[3?5=7:2VbP31+KVGQG@&oqx{}n:=<YWEvnYGXk', code: '80240 15211 82945 64608 97434 76502' },
] as const;
const publicFile = (f: (typeof FIXTURES)[number]): string => `${f.file}${f.flavour === 'zcert' ? '.cert' : '.key'}`;
const secretFile = (f: (typeof FIXTURES)[number]): string => `${publicFile(f)}_secret`;
const SECRET_OF_GATEWAY = 'FN9[]sW3r.Fu9&kRsU8)JDmjZnB5%H<nQlQQeRf^' as SecretKey;
const SECRET_OF_BROKER = 'JzrRoX8jWDIOcnzhEq*e!}m=fkg5O>LiO2aS!XTM' as SecretKey;

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('parseCertFile reads the fixtures of CZMQ and pyzmq', () => {
  it.each(FIXTURES)('$file: public and secret file give the expected public key', (f) => {
    const pub = parseCertFile(fixture(publicFile(f)), publicFile(f));
    expect(pub.publicKey).toBe(f.publicKey);
    expect(pub.secretKey).toBeNull();
    expect(safetyCode(pub.publicKey)).toBe(f.code);

    const secret = parseCertFile(fixture(secretFile(f)), secretFile(f));
    expect(secret.publicKey).toBe(f.publicKey);
    expect(secret.secretKey).not.toBeNull();
    expect(derivePublicKey(secret.secretKey!)).toBe(f.publicKey);
  });

  it('reads metadata: CZMQ writes it to both files, pyzmq only to the secret one, unquoted', () => {
    const expected = { name: 'gateway-07', organization: 'Example Field Ops' };
    expect(parseCertFile(fixture('czmq/gateway-07.cert'), 'x').metadata).toEqual(expected);
    expect(parseCertFile(fixture('czmq/gateway-07.cert_secret'), 'x').metadata).toEqual(expected);
    expect(parseCertFile(fixture('pyzmq/field-laptop.key'), 'x').metadata).toEqual({});
    expect(parseCertFile(fixture('pyzmq/field-laptop.key_secret'), 'x').metadata).toEqual({ owner: 'ops' });
  });

  it('reads keys unquoted, single-quoted, with CRLF and a BOM', () => {
    const text = `\uFEFFmetadata\r\n    name = gw\r\ncurve\r\n    public-key = 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ'\r\n    secret-key = ${SECRET_OF_GATEWAY}\r\n`;
    const cert = parseCertFile(text, 'hand.cert');
    expect(cert).toEqual({ publicKey: FIXTURES[0].publicKey, secretKey: SECRET_OF_GATEWAY, metadata: { name: 'gw' } });
  });

  it('keeps the first of two metadata entries with one name, as CZMQ does', () => {
    const text = `metadata\n    name = "first"\n    name = "second"\ncurve\n    public-key = "${FIXTURES[0].publicKey}"\n`;
    expect(certMetadataName(parseCertFile(text, 'dup.cert'))).toBe('first');
  });

  it('refuses a secret file whose secret key does not belong to its public key', () => {
    const forged = fixture('czmq/gateway-07.cert_secret').replace(SECRET_OF_GATEWAY, SECRET_OF_BROKER);
    const error = thrown(() => parseCertFile(forged, 'forged.cert_secret'));
    expect(error).toBeInstanceOf(InvalidKeyError);
    expect(error.message).toMatch(/^forged\.cert_secret: its secret key does not belong to its public key GEq9T6E2iLO\$vZ\[vs6pg\.CaoTd5dml!>B6pDP>sZ/);
    expect(error.message).not.toContain(SECRET_OF_BROKER);
    expect(error.message).not.toContain(SECRET_OF_GATEWAY);
  });

  it.each([
    ['no curve section', 'metadata\n    name = "x"\n', InvalidInputError, /^bad\.cert is not a CURVE certificate: it has no "curve" section/],
    ['no public key', 'curve\n    other = "x"\n', InvalidInputError, /^bad\.cert has no public-key in its curve section/],
    ['an empty public key', 'curve\n    public-key = ""\n', InvalidInputError, /no public-key/],
    ['two public keys', `curve\n    public-key = "${FIXTURES[0].publicKey}"\n    public-key = "${FIXTURES[1].publicKey}"\n`, InvalidInputError, /has 2 public-key lines/],
    ['two curve sections', `curve\n    public-key = "${FIXTURES[0].publicKey}"\ncurve\n`, InvalidInputError, /has 2 "curve" sections/],
    ['a short public key', 'curve\n    public-key = "abc"\n', InvalidKeyError, /^public key in bad\.cert "abc" must be 40 Z85 characters, got 3/],
    ['a public key with a bad character', `curve\n    public-key = "${'~'.repeat(40)}"\n`, InvalidKeyError, /^public key in bad\.cert/],
    ['a garbage file', 'hello world, this is not a certificate\n', InvalidInputError, /^bad\.cert, line 1: unexpected character/],
    ['a binary file', '\u0089PNG\r\n\u001a\n\u0000\u0000', InvalidInputError, /^bad\.cert, line \d: .*binary file/],
    ['an oversized file', `# ${'x'.repeat(70_000)}\n`, InvalidInputError, /^bad\.cert is too large/],
  ])('refuses %s', (_what, text, type, pattern) => {
    const error = thrown(() => parseCertFile(text, 'bad.cert'));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(pattern);
  });

  it('never names a bad secret key in its message', () => {
    const base = `curve\n    public-key = "${FIXTURES[0].publicKey}"\n`;
    const badSecrets = [SECRET_OF_GATEWAY.slice(0, 39), `${SECRET_OF_GATEWAY}X`, `${SECRET_OF_GATEWAY.slice(0, 39)}~`, `${SECRET_OF_GATEWAY.slice(0, 20)} ${SECRET_OF_GATEWAY.slice(21)}`];
    for (const secret of badSecrets) {
      const error = thrown(() => parseCertFile(`${base}    secret-key = "${secret}"\n`, 'bad.cert_secret'));
      expect(error).toBeInstanceOf(InvalidKeyError);
      expect(error.message).toMatch(/^secret key in bad\.cert_secret/);
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(secret.slice(0, 10));
    }
    const empty = thrown(() => parseCertFile(`${base}    secret-key = ""\n`, 'bad.cert_secret'));
    expect(empty.message).toMatch(/secret-key line without a value/);
  });
});

describe('formatCertFile writes as CZMQ and pyzmq do', () => {
  const gateway = parseCertFile(fixture('czmq/gateway-07.cert_secret'), 'gateway');
  const laptop = parseCertFile(fixture('pyzmq/field-laptop.key_secret'), 'laptop');
  const czmqTime = new Date(2026, 10, 22, 2, 50, 11);

  it('zcert: byte for byte what zcert_save wrote, public and secret', () => {
    expect(formatCertFile(gateway, 'zcert', { secret: false, now: czmqTime })).toBe(fixture('czmq/gateway-07.cert'));
    expect(formatCertFile(gateway, 'zcert', { secret: true, now: czmqTime })).toBe(fixture('czmq/gateway-07.cert_secret'));
  });

  it('pyzmq: what create_certificates wrote, up to the microseconds a Date cannot hold', () => {
    const now = new Date(2026, 10, 22, 2, 50, 11, 983);
    const sameTime = (text: string): string => text.replace('02:50:11.983947', '02:50:11.983000');
    expect(formatCertFile(laptop, 'pyzmq', { secret: true, now })).toBe(sameTime(fixture('pyzmq/field-laptop.key_secret')));
    // pyzmq's own public file has no metadata; with none given ours is the same.
    expect(formatCertFile({ ...laptop, metadata: {} }, 'pyzmq', { secret: false, now })).toBe(sameTime(fixture('pyzmq/field-laptop.key')));
    // Python prints no fraction when the microseconds are zero.
    expect(formatCertFile(laptop, 'pyzmq', { secret: false, now: czmqTime })).toMatch(/^# {3}\*{4} {2}Generated on 2026-11-22 02:50:11 by pyzmq {2}\*{4}\n/);
  });

  it('writes the current local time by default', () => {
    const text = formatCertFile(gateway, 'zcert', { secret: false });
    expect(text.split('\n')[0]).toMatch(/^# {3}\*{4} {2}Generated on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by CZMQ {2}\*{4}$/);
  });

  it.each(['zcert', 'pyzmq'] as const)('%s: with secret false no secret-key line is written, even when the secret is at hand', (flavour) => {
    const text = formatCertFile(gateway, flavour, { secret: false });
    expect(text).not.toContain(SECRET_OF_GATEWAY);
    expect(text).not.toContain('secret-key');
    expect(text).toContain('ZeroMQ CURVE Public Certificate');
  });

  it('refuses a secret file without a secret key, or with a secret of another key', () => {
    expect(() => formatCertFile({ publicKey: gateway.publicKey, metadata: {} }, 'zcert', { secret: true })).toThrow(/needs the secret key/);
    const error = thrown(() => formatCertFile({ ...gateway, secretKey: SECRET_OF_BROKER }, 'zcert', { secret: true }));
    expect(error).toBeInstanceOf(InvalidKeyError);
    expect(error.message).not.toContain(SECRET_OF_BROKER);
  });

  it('writes a fresh pair without the key check, to the same bytes as with it', () => {
    const pair = generateKeyPair();
    const now = new Date('2026-11-22T10:00:00Z');
    const cert = { ...pair, metadata: { name: 'device-1' } };
    expect(formatCertFile(cert, 'zcert', { secret: true, now, freshPair: true })).toBe(formatCertFile(cert, 'zcert', { secret: true, now }));
  });

  it.each(['zcert', 'pyzmq'] as const)('%s: round-trips fresh keys and awkward metadata', (flavour: CertFlavour) => {
    const pair = generateKeyPair();
    const metadata = { name: 'gateway 07 (€)', endpoint: 'tcp://127.0.0.7:5555', note: 'a # b', quote: 'say "hi"', lead: '  spaced', empty: '' };
    const cert = { publicKey: pair.publicKey, secretKey: pair.secretKey, metadata };
    expect(parseCertFile(formatCertFile(cert, flavour, { secret: true }), 'rt')).toEqual(cert);
    expect(parseCertFile(formatCertFile(cert, flavour, { secret: false }), 'rt')).toEqual({ ...cert, secretKey: null });
  });

  it('pyzmq: metadata bare, keys in double quotes; zcert: everything in double quotes', () => {
    const cert = { publicKey: FIXTURES[0].publicKey as PublicKey, metadata: { owner: 'ops team', note: 'a#b' } };
    const py = formatCertFile(cert, 'pyzmq', { secret: false });
    expect(py).toContain('\nmetadata\n    owner = ops team\n    note = "a#b"\ncurve\n    public-key = "GEq9');
    const cz = formatCertFile(cert, 'zcert', { secret: false });
    expect(cz).toContain('\nmetadata\n    owner = "ops team"\n    note = "a#b"\ncurve\n    public-key = "GEq9');
  });

  it('refuses metadata names ZPL cannot hold', () => {
    expect(() => formatCertFile({ publicKey: gateway.publicKey, metadata: { 'my name': 'x' } }, 'zcert', { secret: false })).toThrow(InvalidInputError);
  });
});

describe('certFileNames', () => {
  it('names files as zcert_save and create_certificates do', () => {
    expect(certFileNames('gateway-07', 'zcert')).toEqual({ publicFile: 'gateway-07.cert', secretFile: 'gateway-07.cert_secret' });
    expect(certFileNames('sensor-0042', 'pyzmq')).toEqual({ publicFile: 'sensor-0042.key', secretFile: 'sensor-0042.key_secret' });
    expect(certFileNames('a.b@c+d_e', 'zcert').publicFile).toBe('a.b@c+d_e.cert');
  });

  it.each(['', ' lead', 'a/b', '../x', 'a\\b', '..', '.', 'x..y', 'tab\there', 'nul\u0000', 'line\nbreak', 'c:drive', 'a*b', 'x'.repeat(201)])(
    'refuses %j',
    (name) => {
      expect(() => certFileNames(name, 'zcert')).toThrow(InvalidInputError);
      expect(() => certFileNames(name, 'pyzmq')).toThrow(InvalidInputError);
    },
  );
});

describe('certMetadataName', () => {
  it('is the name metadata, or null', () => {
    expect(certMetadataName(parseCertFile(fixture('czmq/plant-3-broker.cert'), 'x'))).toBe('plant-3-broker');
    expect(certMetadataName(parseCertFile(fixture('pyzmq/field-laptop.key_secret'), 'x'))).toBeNull();
    expect(certMetadataName({ metadata: { name: '  ' } })).toBeNull();
  });
});
