// The pins vocabulary (common/pins.ts): every finding code reads as a sentence in both faces,
// and the handshake reader finds the certificates a server sent in clear.
import { describe, expect, it } from 'vitest';
import { FINDING_CODES, type FindingData, describeFinding, isWeakSeverity } from '../../../src-main/common/pins.js';
import { certificatesInRecords } from '../../../src-main/core/pins/sent-chain.js';
import { weakSignatureDigest } from '../../../src-main/core/pins/pin.js';

const FACTS: Readonly<Record<string, string | number>> = {
  days: 12,
  date: '2027-01-01',
  keyType: 'rsa 1024',
  bits: 1024,
  minimum: 2048,
  algorithm: 'sha1WithRSAEncryption',
  digest: 'SHA-1',
  issuer: 'CN=Int',
  position: 2,
  sent: 3,
  reason: 'CERT_HAS_EXPIRED',
  name: 'broker.test',
  validFor: 'DNS:other.test',
  pin: 'sha256/x',
  hostname: 'broker.test',
  host: 'broker.test',
  expires: '2026-01-01',
  exchange: 'ECDH X25519',
};

describe('finding words', () => {
  it.each(FINDING_CODES.map((c) => [c]))('%s reads as a sentence with its facts, and weak ones say what to do', (code) => {
    const weak = !['tls13', 'tls12', 'legacy-refused', 'legacy-unknown', 'aead-cipher', 'forward-secrecy', 'key-size', 'trusted', 'hostname-match', 'valid', 'pin-match', 'no-pin-set', 'no-revocation-info'].includes(code);
    const f: FindingData = {
      check: 'key',
      code,
      severity: weak ? 'warning' : 'ok',
      certificate: { role: 'intermediate', subject: 'CN=Int' },
      setting: 'TLSv1',
      facts: FACTS,
    };
    const { message, advice } = describeFinding(f);
    expect(message.length).toBeGreaterThan(8);
    expect(message).not.toMatch(/undefined|NaN|\?\)/);
    if (weak) expect(advice, code).toBeTruthy();
    expect(`${message} ${advice ?? ''}`).not.toMatch(/curvekeep [a-z]/);
    expect(isWeakSeverity(f.severity)).toBe(weak);
  });

  it('names the broken signature digests only', () => {
    expect(['sha1WithRSAEncryption', 'ecdsa-with-SHA1', 'dsa-with-SHA1'].map(weakSignatureDigest)).toEqual(['SHA-1', 'SHA-1', 'SHA-1']);
    expect(weakSignatureDigest('md5WithRSAEncryption')).toBe('MD5');
    expect(['sha256WithRSAEncryption', 'ecdsa-with-SHA384', 'ED25519', 'rsassaPss'].map(weakSignatureDigest)).toEqual([null, null, null, null]);
  });
});

describe('certificates in a TLS 1.2 handshake', () => {
  const record = (type: number, payload: Buffer) => Buffer.concat([Buffer.from([type, 3, 3, payload.length >> 8, payload.length & 0xff]), payload]);
  const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
  const message = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), u24(body.length), body]);

  it('reads the Certificate message, even split across records, and stops at ChangeCipherSpec', () => {
    const a = Buffer.from('30aa', 'hex');
    const b = Buffer.from('30bbcc', 'hex');
    const list = Buffer.concat([u24(a.length), a, u24(b.length), b]);
    const handshake = Buffer.concat([message(2, Buffer.from('hello')), message(11, Buffer.concat([u24(list.length), list]))]);
    const stream = Buffer.concat([record(22, handshake.subarray(0, 7)), record(22, handshake.subarray(7)), record(20, Buffer.from([1]))]);
    expect(certificatesInRecords(stream)).toEqual([a, b]);
    expect(certificatesInRecords(Buffer.concat([record(20, Buffer.from([1])), record(22, handshake)]))).toBeNull();
    expect(certificatesInRecords(Buffer.alloc(0))).toBeNull();
    expect(certificatesInRecords(record(22, handshake.subarray(0, 12)))).toBeNull();
  });
});
