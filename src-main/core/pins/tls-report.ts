// The TLS check: what a live endpoint negotiates and presents, as findings with a severity and
// the facts that name the certificate or setting. A warning or an error is a weak finding (the
// CLI exits 1 on one). The findings cover what testssl.sh rates MEDIUM or worse that a client
// can observe from its own handshakes (test/integration/pins/testssl-crosscheck.test.ts).
import type { X509Certificate } from 'node:crypto';
import type { SecureVersion } from 'node:tls';
import {
  EXPIRY_WARNING_DAYS,
  type FindingCertificate,
  type FindingData,
  type LegacyVerdict,
  MAX_LEAF_VALIDITY_DAYS,
  MIN_DH_BITS,
  MIN_EC_BITS,
  MIN_RSA_BITS,
  type Severity,
  isWeakSeverity,
} from '../../common/pins.js';
import { DAY_MS } from '../../common/time.js';
import { NetworkError } from '../errors.js';
import { type ChainCertificate, describeCertificate, pinOfX509, weakSignatureDigest } from './pin.js';
import { fetchSentChain, outOfOrderAt } from './sent-chain.js';
import { LEGACY_CLIENT_OPTIONS, type LiveChain, type TlsTarget, connectTls, fetchReportedChain } from './tls-chain.js';

export type { FindingCheck, FindingCode, LegacyVerdict, Severity } from '../../common/pins.js';
export { EXPIRY_WARNING_DAYS } from '../../common/pins.js';
export type Finding = FindingData;

export interface TlsReport {
  readonly chain: LiveChain;
  readonly legacy: Readonly<Record<'TLSv1' | 'TLSv1.1', LegacyVerdict>>;
  /** TLS 1.2 and 1.3 were refused; the chain was read over an older protocol at security level 0. */
  readonly legacyOnly: boolean;
  readonly findings: ReadonlyArray<Finding>;
  /** No warning and no error. */
  readonly ok: boolean;
}

export function isWeak(finding: Pick<Finding, 'severity'>): boolean {
  return isWeakSeverity(finding.severity);
}

function finding(check: Finding['check'], code: Finding['code'], severity: Severity, rest: Partial<Pick<Finding, 'certificate' | 'setting' | 'facts'>> = {}): Finding {
  return { check, code, severity, certificate: rest.certificate ?? null, setting: rest.setting ?? null, facts: rest.facts ?? {} };
}

function about(certificate: ChainCertificate): FindingCertificate {
  return { role: certificate.role, subject: certificate.subject };
}

export function protocolFinding(protocol: string): Finding {
  if (protocol === 'TLSv1.3') return finding('protocol', 'tls13', 'ok', { setting: protocol });
  if (protocol === 'TLSv1.2') return finding('protocol', 'tls12', 'info', { setting: protocol });
  return finding('protocol', 'legacy-only', 'error', { setting: protocol });
}

/** Forward secrecy: TLS 1.3 always; before it, only (EC)DHE key exchange. */
export function hasForwardSecrecy(protocol: string, cipherName: string): boolean {
  return protocol === 'TLSv1.3' || /^(?:ECDHE|DHE|EDH)-/.test(cipherName) || /_ECDHE_|_DHE_/.test(cipherName);
}

/** Bits of a finite-field DH exchange (`DH 1024 bits`); null for ECDH or unknown. */
function dhBits(ephemeralKey: string | null): number | null {
  const m = ephemeralKey ? /^DH\b.*?(\d+) bits/.exec(ephemeralKey) : null;
  return m ? Number(m[1]) : null;
}

export function cipherFindings(chain: Pick<LiveChain, 'protocol' | 'cipher' | 'ephemeralKey'>): Finding[] {
  const { name } = chain.cipher;
  const aead = chain.protocol === 'TLSv1.3' || /GCM|CHACHA20|CCM/.test(name);
  const findings = [
    finding('cipher', aead ? 'aead-cipher' : 'cbc-cipher', aead ? 'ok' : 'warning', { setting: name }),
    hasForwardSecrecy(chain.protocol, name)
      ? finding('forward-secrecy', 'forward-secrecy', 'ok', { setting: name, facts: chain.ephemeralKey ? { exchange: chain.ephemeralKey } : {} })
      : finding('forward-secrecy', 'no-forward-secrecy', 'warning', { setting: name }),
  ];
  const bits = dhBits(chain.ephemeralKey);
  if (bits !== null && bits < MIN_DH_BITS) findings.push(finding('key-exchange', 'weak-dh', 'warning', { setting: chain.ephemeralKey!, facts: { bits } }));
  return findings;
}

/** The minimum size for a key of this type, or null when size is not the measure (Ed25519). */
function minimumBits(keyType: string): number | null {
  if (/^(rsa|rsa-pss|dsa)\b/.test(keyType)) return MIN_RSA_BITS;
  if (/^ec\b/.test(keyType)) return MIN_EC_BITS;
  return null;
}

/** The leaf's and every intermediate's key (a root is a trust anchor; its key is the CA's affair). */
export function keyFindings(certificates: ReadonlyArray<ChainCertificate>): Finding[] {
  const findings: Finding[] = [];
  for (const c of certificates) {
    if (c.role === 'root') continue;
    const minimum = minimumBits(c.keyType);
    const weak = minimum !== null && c.keyBits !== null && c.keyBits < minimum;
    if (weak) {
      const severity: Severity = /^ec\b/.test(c.keyType) ? 'warning' : 'error';
      findings.push(finding('key', 'weak-key', severity, { certificate: about(c), facts: { keyType: c.keyType, bits: c.keyBits!, minimum: minimum! } }));
    } else if (c.role === 'leaf') {
      findings.push(finding('key', 'key-size', 'ok', { certificate: about(c), facts: { keyType: c.keyType } }));
    }
  }
  return findings;
}

/** SHA-1, MD5 (and MD2) signatures, named on the certificate that carries them; a root's self-signature is not checked by anyone. */
export function signatureFindings(certificates: ReadonlyArray<ChainCertificate>): Finding[] {
  return certificates
    .filter((c) => c.role !== 'root')
    .flatMap((c) => {
      const digest = weakSignatureDigest(c.signatureAlgorithm);
      return digest ? [finding('signature', 'weak-signature', 'error', { certificate: about(c), facts: { algorithm: c.signatureAlgorithm, digest } })] : [];
    });
}

/**
 * An incomplete chain: the server sent no issuer for a certificate and none was found among the
 * trusted roots, while the chain does not end in a self-issued one. A chain of [leaf, intermediate]
 * from an unknown CA is complete (servers need not send the root): OpenSSL then says the CA is not
 * known *locally*, which is the trust finding's business.
 */
export function chainFindings(chain: Pick<LiveChain, 'certificates' | 'trusted' | 'trustError'>): Finding[] {
  const last = chain.certificates[chain.certificates.length - 1];
  if (!last || last.selfIssued || chain.trusted) return [];
  const missing = chain.certificates.length === 1 || chain.trustError === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || chain.trustError === 'UNABLE_TO_GET_ISSUER_CERT';
  return missing ? [finding('chain', 'chain-incomplete', 'warning', { certificate: about(last), facts: { issuer: last.issuer } })] : [];
}

/** The server sends its chain in another order than leaf, issuer, issuer's issuer (read over TLS 1.2; null when unknown). */
export function chainOrderFindings(sent: ReadonlyArray<X509Certificate> | null, chain: ReadonlyArray<ChainCertificate>): Finding[] {
  if (!sent) return [];
  const at = outOfOrderAt(sent);
  if (at === null) return [];
  const pin = pinOfX509(sent[at]!);
  const known = chain.find((c) => c.pin === pin);
  const certificate = known ? about(known) : about(describeCertificate(sent[at]!, sent[at]!.subject === sent[at]!.issuer ? 'root' : 'intermediate'));
  return [finding('chain', 'chain-out-of-order', 'warning', { certificate, facts: { position: at + 1, sent: sent.length } })];
}

export function trustFinding(chain: Pick<LiveChain, 'trusted' | 'trustError'>): Finding {
  if (chain.trusted) return finding('chain-trust', 'trusted', 'ok');
  return finding('chain-trust', 'untrusted', 'error', { facts: { reason: chain.trustError ?? 'unknown' } });
}

export function hostnameFinding(chain: Pick<LiveChain, 'checkedName' | 'hostnameError' | 'validFor'>): Finding {
  if (!chain.hostnameError) return finding('hostname', 'hostname-match', 'ok', { facts: { name: chain.checkedName } });
  return finding('hostname', 'hostname-mismatch', 'error', { facts: { name: chain.checkedName, validFor: chain.validFor } });
}

export function expiryFinding(certificate: ChainCertificate, now: Date): Finding {
  const from = new Date(certificate.validFrom).getTime();
  const to = new Date(certificate.validTo).getTime();
  const c = about(certificate);
  if (now.getTime() < from) return finding('expiry', 'not-yet-valid', 'error', { certificate: c, facts: { date: certificate.validFrom.slice(0, 10) } });
  if (now.getTime() > to) {
    const days = Math.floor((now.getTime() - to) / DAY_MS);
    return finding('expiry', 'expired', 'error', { certificate: c, facts: { date: certificate.validTo.slice(0, 10), days } });
  }
  const days = Math.floor((to - now.getTime()) / DAY_MS);
  const soon = days < EXPIRY_WARNING_DAYS;
  return finding('expiry', soon ? 'expires-soon' : 'valid', soon ? 'warning' : 'ok', { certificate: c, facts: { date: certificate.validTo.slice(0, 10), days } });
}

/** The leaf always; other certificates of the chain only when they need attention. */
export function expiryFindings(certificates: ReadonlyArray<ChainCertificate>, now: Date): Finding[] {
  return certificates
    .map((c) => ({ c, f: expiryFinding(c, now) }))
    .filter(({ c, f }) => c.role === 'leaf' || f.severity !== 'ok')
    .map(({ f }) => f);
}

/** A leaf issued for longer than the CA/Browser Forum's 398 days. */
export function validityFindings(certificates: ReadonlyArray<ChainCertificate>): Finding[] {
  const leaf = certificates[0];
  if (!leaf || leaf.role !== 'leaf') return [];
  const days = Math.round((new Date(leaf.validTo).getTime() - new Date(leaf.validFrom).getTime()) / DAY_MS);
  return days > MAX_LEAF_VALIDITY_DAYS ? [finding('validity', 'validity-too-long', 'warning', { certificate: about(leaf), facts: { days } })] : [];
}

/** The leaf names neither a CRL nor an OCSP responder (testssl rates it HIGH; for a pinned private PKI it is normal, hence info). */
export function revocationFindings(certificates: ReadonlyArray<ChainCertificate>): Finding[] {
  const leaf = certificates[0];
  if (!leaf || leaf.role !== 'leaf' || leaf.revocationInfo) return [];
  return [finding('revocation', 'no-revocation-info', 'info', { certificate: about(leaf) })];
}

/**
 * Does the server still complete a handshake with only this old version allowed? A separate
 * connection with the security level lowered so that Node's OpenSSL offers it at all.
 */
export async function probeLegacy(target: TlsTarget, version: 'TLSv1' | 'TLSv1.1'): Promise<LegacyVerdict> {
  try {
    const { socket } = await connectTls(target, { ...LEGACY_CLIENT_OPTIONS, minVersion: version as SecureVersion, maxVersion: version as SecureVersion });
    const accepted = socket.getProtocol() === version;
    socket.destroy();
    return accepted ? 'accepted' : 'refused';
  } catch (error) {
    // A timeout says nothing about the version; a handshake failure or reset is a refusal.
    if (error instanceof NetworkError && /within|cancelled|not found|no route/.test(error.message)) return 'unknown';
    return 'refused';
  }
}

function legacyFinding(version: 'TLSv1' | 'TLSv1.1', verdict: LegacyVerdict): Finding {
  const check = version === 'TLSv1' ? 'legacy-tls1.0' : 'legacy-tls1.1';
  if (verdict === 'accepted') return finding(check, 'legacy-accepted', 'warning', { setting: version });
  if (verdict === 'refused') return finding(check, 'legacy-refused', 'ok', { setting: version });
  return finding(check, 'legacy-unknown', 'info', { setting: version });
}

export interface ReportOptions {
  readonly now?: Date;
  /** Skip the TLS 1.0/1.1 probes (two more connections). */
  readonly skipLegacy?: boolean;
}

export function findingsOf(chain: LiveChain, legacy: TlsReport['legacy'] | null, now: Date, sent: ReadonlyArray<X509Certificate> | null = null): Finding[] {
  return [
    protocolFinding(chain.protocol),
    ...(legacy ? [legacyFinding('TLSv1', legacy.TLSv1), legacyFinding('TLSv1.1', legacy['TLSv1.1'])] : []),
    ...cipherFindings(chain),
    ...keyFindings(chain.certificates),
    ...signatureFindings(chain.certificates),
    ...chainFindings(chain),
    ...chainOrderFindings(sent, chain.certificates),
    trustFinding(chain),
    hostnameFinding(chain),
    ...expiryFindings(chain.certificates, now),
    ...validityFindings(chain.certificates),
    ...revocationFindings(chain.certificates),
  ];
}

/** Connects (with the legacy probes alongside) and judges what it saw. Every connection has the target's timeout. */
export async function checkTls(target: TlsTarget, options: ReportOptions = {}): Promise<TlsReport> {
  const now = options.now ?? new Date();
  const [{ chain, legacyOnly }, sent, tls10, tls11] = await Promise.all([
    fetchReportedChain(target),
    fetchSentChain(target),
    options.skipLegacy ? Promise.resolve<LegacyVerdict>('unknown') : probeLegacy(target, 'TLSv1'),
    options.skipLegacy ? Promise.resolve<LegacyVerdict>('unknown') : probeLegacy(target, 'TLSv1.1'),
  ]);
  const legacy = { TLSv1: tls10, 'TLSv1.1': tls11 } as const;
  const findings = findingsOf(chain, options.skipLegacy ? null : legacy, now, sent);
  return { chain, legacy, legacyOnly, findings, ok: !findings.some(isWeak) };
}
