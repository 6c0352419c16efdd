import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import type { ChainCertificate } from '../../../src-main/core/pins/pin.js';
import { exportPinSet, parseExportFormat } from '../../../src-main/core/pins/pin-export.js';
import { cipherFindings, expiryFinding, hasForwardSecrecy, protocolFinding, trustFinding } from '../../../src-main/core/pins/tls-report.js';
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
    expect(exportPinSet(set, 'curl', NOW)).toBe(`--pinnedpubkey "sha256//${b64('a')};sha256//${b64('b')}"\n`);
    const maxAge = (Date.parse('2026-12-31T00:00:00Z') - NOW.getTime()) / 1000;
    expect(exportPinSet(set, 'hpkp', NOW)).toBe(`Public-Key-Pins: pin-sha256="${b64('a')}"; pin-sha256="${b64('b')}"; max-age=${maxAge}\n`);
    expect(exportPinSet({ ...set, host: '*.example.com' }, 'hpkp', NOW)).toMatch(/; includeSubDomains\n$/);
    expect(JSON.parse(exportPinSet(set, 'json', NOW))).toEqual({ host: set.host, pins: set.pins, backupPins: set.backupPins, expires: set.expires });
  });

  it('an unknown format is refused', () => {
    expect(parseExportFormat('OkHttp')).toBe('okhttp');
    expect(() => parseExportFormat('nginx')).toThrow(InvalidInputError);
  });
});

describe('findings', () => {
  const cert = (validFrom: string, validTo: string): ChainCertificate => ({
    role: 'leaf', subject: 'CN=x', issuer: 'CN=ca', validFrom, validTo, serialNumber: '01', keyType: 'ec P-256', selfIssued: false, pin: `sha256/${b64('x')}`,
  });

  it('days to expiry: ok, warning under 30 days, error when expired or not yet valid', () => {
    expect(expiryFinding(cert('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'), NOW)).toMatchObject({ severity: 'ok', message: expect.stringContaining('expires in 92 days') });
    expect(expiryFinding(cert('2026-01-01T00:00:00Z', '2026-03-30T00:00:00Z'), NOW)).toMatchObject({ severity: 'warning', message: expect.stringContaining('29 days') });
    expect(expiryFinding(cert('2026-01-01T00:00:00Z', '2026-03-31T00:00:00Z'), NOW).severity).toBe('ok');
    expect(expiryFinding(cert('2025-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), NOW)).toMatchObject({ severity: 'error', message: expect.stringContaining('expired on 2026-02-01') });
    expect(expiryFinding(cert('2026-04-01T00:00:00Z', '2027-01-01T00:00:00Z'), NOW)).toMatchObject({ severity: 'error', message: expect.stringContaining('not valid until 2026-04-01') });
  });

  it('protocol, cipher and forward secrecy', () => {
    expect(protocolFinding('TLSv1.3').severity).toBe('ok');
    expect(protocolFinding('TLSv1.2').severity).toBe('info');
    expect(protocolFinding('TLSv1').severity).toBe('error');
    expect(hasForwardSecrecy('TLSv1.3', 'TLS_AES_128_GCM_SHA256')).toBe(true);
    expect(hasForwardSecrecy('TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256')).toBe(true);
    expect(hasForwardSecrecy('TLSv1.2', 'DHE-RSA-AES256-GCM-SHA384')).toBe(true);
    expect(hasForwardSecrecy('TLSv1.2', 'AES128-GCM-SHA256')).toBe(false);
    const [cipher, fs] = cipherFindings({ protocol: 'TLSv1.2', cipher: { name: 'AES128-SHA', standardName: 'TLS_RSA_WITH_AES_128_CBC_SHA', version: 'TLSv1.2' }, ephemeralKey: null });
    expect(cipher!.severity).toBe('warning');
    expect(fs!.severity).toBe('warning');
  });

  it('trust: the OpenSSL code in words', () => {
    expect(trustFinding({ trusted: true, trustError: null }).severity).toBe('ok');
    expect(trustFinding({ trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }).message).toContain('self-signed');
  });
});
