import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../src-main/cli/errors.js';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import type { ChainCertificate } from '../../../src-main/core/pins/pin.js';
import { PIN_EXPORT_ROLES, describeFinding } from '../../../src-main/common/pins.js';
import { PinExportRefusedError } from '../../../src-main/core/pins/errors.js';
import { exportPinSet, exportPins, parseExportFormat } from '../../../src-main/core/pins/pin-export.js';
import {
  chainFindings,
  cipherFindings,
  expiryFinding,
  hasForwardSecrecy,
  keyFindings,
  protocolFinding,
  signatureFindings,
  trustFinding,
  validityFindings,
} from '../../../src-main/core/pins/tls-report.js';
import type { PinSet } from '../../../src-main/core/store/document.js';

const b64 = (seed: string) => createHash('sha256').update(seed).digest('base64');
const NOW = new Date('2026-03-01T00:00:00Z');
const set: PinSet = {
  host: 'broker.example.com',
  pins: [`sha256/${b64('a')}`],
  backupPins: [`sha256/${b64('b')}`],
  expires: '2026-12-31',
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
};

describe('exports', () => {
  it('OkHttp: one .add per pin, active and backup', () => {
    const text = exportPinSet(set, 'okhttp', NOW);
    expect(text).toContain('CertificatePinner.Builder()');
    expect(text).toContain(`.add("broker.example.com", "sha256/${b64('a')}") // active`);
    expect(text).toContain(`.add("broker.example.com", "sha256/${b64('b')}") // backup`);
    expect(text.trimEnd().endsWith('.build()')).toBe(true);
  });

  it('Android: pin-set with expiration, bare digests, includeSubdomains for wildcards', () => {
    const text = exportPinSet(set, 'android', NOW);
    expect(text).toContain('<domain includeSubdomains="false">broker.example.com</domain>');
    expect(text).toContain('<pin-set expiration="2026-12-31">');
    expect(text).toContain(`<pin digest="SHA-256">${b64('a')}</pin>`);
    expect(text).toContain(`<pin digest="SHA-256">${b64('b')}</pin>`);
    const wild = exportPinSet({ ...set, host: '**.example.com' }, 'android', NOW);
    expect(wild).toContain('<domain includeSubdomains="true">example.com</domain>');
    expect(exportPinSet({ ...set, host: '*.example.com' }, 'android', NOW)).toContain('Android cannot pin exactly one label');
  });

  it('curl, HPKP and JSON', () => {
    // The bare value, for `curl --pinnedpubkey "$(curvekeep pins export H --format curl)"`.
    expect(exportPinSet(set, 'curl', NOW)).toBe(`sha256//${b64('a')};sha256//${b64('b')}\n`);
    const maxAge = (Date.parse('2026-12-31T00:00:00Z') - NOW.getTime()) / 1000;
    expect(exportPinSet(set, 'hpkp', NOW)).toBe(`Public-Key-Pins: pin-sha256="${b64('a')}"; pin-sha256="${b64('b')}"; max-age=${maxAge}\n`);
    expect(exportPinSet({ ...set, host: '*.example.com' }, 'hpkp', NOW)).toMatch(/; includeSubDomains\n$/);
    expect(JSON.parse(exportPinSet(set, 'json', NOW))).toEqual({ host: set.host, pins: set.pins, backupPins: set.backupPins, expires: set.expires });
  });

  it('each format pins the roles its client checks: curl the leaf only, the others any chain certificate', () => {
    expect(PIN_EXPORT_ROLES.curl).toEqual(['leaf']);
    for (const f of ['okhttp', 'android', 'hpkp', 'json'] as const) expect(PIN_EXPORT_ROLES[f]).toEqual(['leaf', 'intermediate', 'root']);
    const mixed: PinSet = { ...set, pins: [`sha256/${b64('leaf')}`, `sha256/${b64('int')}`], roles: { [`sha256/${b64('leaf')}`]: 'leaf', [`sha256/${b64('int')}`]: 'intermediate' } };
    const curl = exportPins(mixed, 'curl', NOW);
    expect(curl.text).toBe(`sha256//${b64('leaf')};sha256//${b64('b')}\n`);
    expect(curl.excluded).toEqual([{ pin: `sha256/${b64('int')}`, role: 'intermediate' }]);
    expect(exportPins(mixed, 'okhttp', NOW).text).toContain(b64('int'));
    expect(exportPins(mixed, 'okhttp', NOW).excluded).toEqual([]);
  });

  it('curl refuses a set whose active pins are all CA pins; a pin of unknown role is kept', () => {
    const caOnly: PinSet = { ...set, pins: [`sha256/${b64('int')}`, `sha256/${b64('root')}`], roles: { [`sha256/${b64('int')}`]: 'intermediate', [`sha256/${b64('root')}`]: 'root' } };
    expect(() => exportPins(caOnly, 'curl', NOW)).toThrow(PinExportRefusedError);
    try {
      exportPins(caOnly, 'curl', NOW);
    } catch (error) {
      expect(error).toMatchObject({ code: 'refused', reason: 'roles-not-pinnable', format: 'curl', pinnable: ['leaf'], activeRoles: ['intermediate', 'root'] });
      expect(exitCodeFor(error as PinExportRefusedError)).toBe(2);
      expect((error as Error).message).toMatch(/curl checks only leaf keys/);
    }
    expect(exportPins(caOnly, 'android', NOW).text).toContain(b64('root'));
    expect(exportPins(set, 'curl', NOW).excluded).toEqual([]);
  });

  it('an unknown format is refused', () => {
    expect(parseExportFormat('OkHttp')).toBe('okhttp');
    expect(() => parseExportFormat('nginx')).toThrow(InvalidInputError);
  });
});

describe('findings', () => {
  const cert = (validFrom: string, validTo: string, more: Partial<ChainCertificate> = {}): ChainCertificate => ({
    role: 'leaf',
    subject: 'CN=x',
    issuer: 'CN=ca',
    validFrom,
    validTo,
    serialNumber: '01',
    keyType: 'ec P-256',
    keyBits: 256,
    signatureAlgorithm: 'ecdsa-with-SHA256',
    revocationInfo: false,
    selfIssued: false,
    pin: `sha256/${b64('x')}`,
    ...more,
  });
  const text = (f: Parameters<typeof describeFinding>[0]) => describeFinding(f).message;

  it('days to expiry: ok, warning under 30 days, error when expired or not yet valid', () => {
    const ok = expiryFinding(cert('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'), NOW);
    expect(ok).toMatchObject({ code: 'valid', severity: 'ok', certificate: { role: 'leaf', subject: 'CN=x' }, facts: { days: 92, date: '2026-06-01' } });
    expect(text(ok)).toContain('expires in 92 days');
    const soon = expiryFinding(cert('2026-01-01T00:00:00Z', '2026-03-30T00:00:00Z'), NOW);
    expect(soon).toMatchObject({ code: 'expires-soon', severity: 'warning' });
    expect(text(soon)).toContain('29 days');
    expect(expiryFinding(cert('2026-01-01T00:00:00Z', '2026-03-31T00:00:00Z'), NOW).severity).toBe('ok');
    const expired = expiryFinding(cert('2025-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), NOW);
    expect(expired).toMatchObject({ code: 'expired', severity: 'error' });
    expect(text(expired)).toContain('expired on 2026-02-01');
    const early = expiryFinding(cert('2026-04-01T00:00:00Z', '2027-01-01T00:00:00Z'), NOW);
    expect(early).toMatchObject({ code: 'not-yet-valid', severity: 'error' });
    expect(text(early)).toContain('not valid until 2026-04-01');
  });

  it('protocol, cipher and forward secrecy', () => {
    expect(protocolFinding('TLSv1.3').severity).toBe('ok');
    expect(protocolFinding('TLSv1.2').severity).toBe('info');
    expect(protocolFinding('TLSv1')).toMatchObject({ code: 'legacy-only', severity: 'error', setting: 'TLSv1' });
    expect(text(protocolFinding('TLSv1.1'))).toContain('speaks only TLS 1.1');
    expect(hasForwardSecrecy('TLSv1.3', 'TLS_AES_128_GCM_SHA256')).toBe(true);
    expect(hasForwardSecrecy('TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256')).toBe(true);
    expect(hasForwardSecrecy('TLSv1.2', 'DHE-RSA-AES256-GCM-SHA384')).toBe(true);
    expect(hasForwardSecrecy('TLSv1.2', 'AES128-GCM-SHA256')).toBe(false);
    const [cipher, fs] = cipherFindings({ protocol: 'TLSv1.2', cipher: { name: 'AES128-SHA', standardName: 'TLS_RSA_WITH_AES_128_CBC_SHA', version: 'TLSv1.2' }, ephemeralKey: null });
    expect(cipher).toMatchObject({ code: 'cbc-cipher', severity: 'warning', setting: 'AES128-SHA' });
    expect(fs).toMatchObject({ code: 'no-forward-secrecy', severity: 'warning', setting: 'AES128-SHA' });
    const dh = cipherFindings({ protocol: 'TLSv1.2', cipher: { name: 'DHE-RSA-AES128-GCM-SHA256', standardName: '', version: 'TLSv1.2' }, ephemeralKey: 'DH 1024 bits' });
    expect(dh.map((f) => f.code)).toEqual(['aead-cipher', 'forward-secrecy', 'weak-dh']);
  });

  it('keys: RSA/DSA under 2048 bits an error, EC under 256 a warning, named on the certificate', () => {
    const rsa1024 = cert('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', { keyType: 'rsa 1024', keyBits: 1024 });
    expect(keyFindings([rsa1024])).toEqual([
      { check: 'key', code: 'weak-key', severity: 'error', certificate: { role: 'leaf', subject: 'CN=x' }, setting: null, facts: { keyType: 'rsa 1024', bits: 1024, minimum: 2048 } },
    ]);
    const ec224 = cert('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', { role: 'intermediate', subject: 'CN=int', keyType: 'ec secp224r1', keyBits: 224 });
    expect(keyFindings([cert('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'), ec224]).map((f) => [f.code, f.severity, f.certificate?.role])).toEqual([
      ['key-size', 'ok', 'leaf'],
      ['weak-key', 'warning', 'intermediate'],
    ]);
    expect(text(keyFindings([rsa1024])[0]!)).toBe('the certificate (CN=x) has a rsa 1024 key, below 2048 bits');
    expect(keyFindings([cert('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', { keyType: 'ed25519', keyBits: null })])[0]!.code).toBe('key-size');
  });

  it('SHA-1 and MD5 signatures are named on the certificate that carries them; a root is not judged', () => {
    const certs = [
      cert('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', { signatureAlgorithm: 'sha256WithRSAEncryption' }),
      cert('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', { role: 'intermediate', subject: 'CN=int', signatureAlgorithm: 'sha1WithRSAEncryption' }),
      cert('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', { role: 'root', subject: 'CN=root', signatureAlgorithm: 'md5WithRSAEncryption', selfIssued: true }),
    ];
    const found = signatureFindings(certs);
    expect(found).toEqual([
      { check: 'signature', code: 'weak-signature', severity: 'error', certificate: { role: 'intermediate', subject: 'CN=int' }, setting: null, facts: { algorithm: 'sha1WithRSAEncryption', digest: 'SHA-1' } },
    ]);
    expect(text(found[0]!)).toContain('intermediate certificate (CN=int) is signed with sha1WithRSAEncryption');
    expect(signatureFindings([cert('a', 'b', { signatureAlgorithm: 'md5WithRSAEncryption' })])[0]!.facts.digest).toBe('MD5');
    expect(signatureFindings([cert('a', 'b', { signatureAlgorithm: 'ecdsa-with-SHA1' })])[0]!.facts.digest).toBe('SHA-1');
  });

  it('a leaf valid for more than 398 days; an incomplete chain', () => {
    expect(validityFindings([cert('2026-01-01T00:00:00Z', '2027-02-03T00:00:00Z')])).toEqual([]);
    expect(validityFindings([cert('2026-01-01T00:00:00Z', '2028-03-11T00:00:00Z')])).toMatchObject([{ code: 'validity-too-long', severity: 'warning', facts: { days: 800 } }]);
    const leafOnly = [cert('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', { issuer: 'CN=Int' })];
    expect(chainFindings({ certificates: leafOnly, trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })).toMatchObject([{ code: 'chain-incomplete', facts: { issuer: 'CN=Int' } }]);
    // [leaf, intermediate] of a CA unknown here is complete: servers need not send the root.
    const sent = [...leafOnly, cert('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', { role: 'intermediate', subject: 'CN=Int', issuer: 'CN=Root' })];
    expect(chainFindings({ certificates: sent, trusted: false, trustError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' })).toEqual([]);
  });

  it('trust: the OpenSSL code in words', () => {
    expect(trustFinding({ trusted: true, trustError: null }).severity).toBe('ok');
    const untrusted = trustFinding({ trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(untrusted).toMatchObject({ code: 'untrusted', severity: 'error', facts: { reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    expect(text(untrusted)).toContain('self-signed');
  });
});
