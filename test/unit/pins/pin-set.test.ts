import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, RefusedError } from '../../../src-main/core/errors.js';
import type { ChainCertificate } from '../../../src-main/core/pins/pin.js';
import { BackupPinRequiredError } from '../../../src-main/core/pins/errors.js';
import { hostMatches, parseHostPattern } from '../../../src-main/core/pins/host-pattern.js';
import { checkPins, pinFindings } from '../../../src-main/core/pins/pin-check.js';
import { isPinSetExpired, parseExpiry, validatePinSet } from '../../../src-main/core/pins/pin-set.js';
import type { PinSet } from '../../../src-main/core/store/document.js';

const pin = (seed: string) => `sha256/${createHash('sha256').update(seed).digest('base64')}`;
const NOW = new Date('2026-03-01T12:00:00Z');

function cert(role: ChainCertificate['role'], seed: string): ChainCertificate {
  return { role, subject: `CN=${seed}`, issuer: 'CN=x', validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', serialNumber: '01', keyType: 'ec P-256', keyBits: 256, signatureAlgorithm: 'ecdsa-with-SHA256', revocationInfo: false, selfIssued: role === 'root', pin: pin(seed) };
}

const chain = [cert('leaf', 'leaf'), cert('intermediate', 'int'), cert('root', 'root')];

function set(host: string, pins: string[], backupPins: string[] = [], expires: string | null = '2027-01-01'): PinSet {
  return { host, pins, backupPins, expires, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() };
}

describe('host patterns (OkHttp)', () => {
  it('accepts exact hosts, IPs and the two wildcards; lowercases', () => {
    expect(parseHostPattern('Broker.Example.COM')).toBe('broker.example.com');
    expect(parseHostPattern('127.0.0.7')).toBe('127.0.0.7');
    expect(parseHostPattern('*.example.com')).toBe('*.example.com');
    expect(parseHostPattern('**.example.com')).toBe('**.example.com');
  });

  it('refuses what OkHttp would not match', () => {
    expect(() => parseHostPattern('a.*.example.com')).toThrow(/may only start with/);
    expect(() => parseHostPattern('*.com')).toThrow(/too broad/);
    expect(() => parseHostPattern('bad_host.example.com')).toThrow(InvalidInputError);
    expect(() => parseHostPattern('')).toThrow(/empty/);
  });

  it('`*.` matches exactly one label, `**.` any depth including the domain', () => {
    expect(hostMatches('*.example.com', 'a.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'example.com')).toBe(false);
    expect(hostMatches('*.example.com', 'a.b.example.com')).toBe(false);
    expect(hostMatches('**.example.com', 'example.com')).toBe(true);
    expect(hostMatches('**.example.com', 'a.b.example.com')).toBe(true);
    expect(hostMatches('**.example.com', 'badexample.com')).toBe(false);
    expect(hostMatches('example.com', 'EXAMPLE.com.')).toBe(true);
    expect(hostMatches('example.com', 'a.example.com')).toBe(false);
  });
});

describe('validatePinSet', () => {
  it('requires a backup pin unless noBackup, and refuses a backup that is active or live', () => {
    expect(() => validatePinSet({ host: 'a.example.com', pins: [pin('a')] }, NOW)).toThrow(RefusedError);
    // A typed refusal with the host; the core names no command (the CLI adds it).
    const refusal = (() => {
      try {
        validatePinSet({ host: 'a.example.com', pins: [pin('a')] }, NOW);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(BackupPinRequiredError);
    expect(refusal).toMatchObject({ code: 'refused', reason: 'backup-pin-required', host: 'a.example.com', fromLive: false });
    expect((refusal as Error).message).not.toMatch(/curvekeep|--/);
    expect(validatePinSet({ host: 'a.example.com', pins: [pin('a')], noBackup: true }, NOW).backupPins).toEqual([]);
    expect(() => validatePinSet({ host: 'a.example.com', pins: [pin('a')], backupPins: [pin('a')] }, NOW)).toThrow(/also an active pin/);
    expect(() => validatePinSet({ host: 'a.example.com', pins: [pin('a')], backupPins: [pin('int')], liveChain: chain }, NOW)).toThrow(/in the chain the server presents now/);
    expect(() => validatePinSet({ host: 'a.example.com', pins: [], noBackup: true }, NOW)).toThrow(/at least one active pin/);
  });

  it('expiry: YYYY-MM-DD in the future, one year ahead by default', () => {
    const ok = { host: 'a.example.com', pins: [pin('a')], backupPins: [pin('b')] };
    expect(validatePinSet(ok, NOW).expires).toBe('2027-03-01');
    expect(validatePinSet({ ...ok, expires: '2026-12-31' }, NOW).expires).toBe('2026-12-31');
    expect(() => validatePinSet({ ...ok, expires: '2026-02-30' }, NOW)).toThrow(/YYYY-MM-DD/);
    expect(() => validatePinSet({ ...ok, expires: '2026-03-01' }, NOW)).toThrow(/not in the future/);
    expect(() => parseExpiry('31.12.2026')).toThrow(InvalidInputError);
    expect(isPinSetExpired(set('a', [pin('a')], [], '2026-02-28'), NOW)).toBe(true);
    expect(isPinSetExpired(set('a', [pin('a')], [], '2026-03-01'), NOW)).toBe(false);
  });

  it('records the chain role of each active pin found in the live chain', () => {
    const checked = validatePinSet({ host: 'a.example.com', pins: [pin('int'), pin('elsewhere')], backupPins: [pin('b')], liveChain: chain }, NOW);
    expect(checked.roles).toEqual({ [pin('int')]: 'intermediate' });
    expect(validatePinSet({ host: 'a.example.com', pins: [pin('a')], backupPins: [pin('b')] }, NOW).roles).toBeUndefined();
  });
});

describe('checkPins', () => {
  it('matches any certificate of the chain against active or backup pins', () => {
    expect(checkPins(chain, 'a.example.com', [set('a.example.com', [pin('leaf')])], NOW)).toMatchObject({ verdict: 'match', matched: { role: 'leaf' } });
    expect(checkPins(chain, 'a.example.com', [set('*.example.com', [pin('x')], [pin('root')])], NOW)).toMatchObject({ verdict: 'match', matched: { role: 'root' } });
    expect(checkPins(chain, 'a.example.com', [], NOW).verdict).toBe('no-pin-set');
  });

  it('the verdict as findings: match ok, mismatch error, no set info, an expired set a warning', () => {
    expect(pinFindings(checkPins(chain, 'a.example.com', [set('a.example.com', [pin('int')])], NOW))).toEqual([
      { check: 'pins', code: 'pin-match', severity: 'ok', certificate: { role: 'intermediate', subject: 'CN=int' }, setting: null, facts: { pin: pin('int') } },
    ]);
    const expired = pinFindings(checkPins(chain, 'a.example.com', [set('a.example.com', [pin('x')], [pin('y')], '2026-01-01')], NOW));
    expect(expired.map((f) => [f.code, f.severity])).toEqual([['pin-mismatch', 'error'], ['pin-set-expired', 'warning']]);
    expect(expired[1]!.facts).toEqual({ host: 'a.example.com', expires: '2026-01-01' });
    expect(pinFindings(checkPins(chain, 'b.example.com', [], NOW))[0]).toMatchObject({ code: 'no-pin-set', severity: 'info' });
  });

  it('a mismatch lists the chain and the pinned pins, OkHttp style', () => {
    const result = checkPins(chain, 'a.example.com', [set('a.example.com', [pin('x')], [pin('y')], '2026-01-01')], NOW);
    expect(result.verdict).toBe('mismatch');
    expect(result.expiredSets).toEqual(['a.example.com']);
    expect(result.message.split('\n')).toEqual([
      'Certificate pinning failure!',
      '  Peer certificate chain:',
      `    ${pin('leaf')}: CN=leaf (leaf)`,
      `    ${pin('int')}: CN=int (intermediate)`,
      `    ${pin('root')}: CN=root (root)`,
      '  Pinned certificates for a.example.com:',
      `    ${pin('x')}`,
      `    ${pin('y')}`,
    ]);
  });
});
