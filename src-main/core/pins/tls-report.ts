// The TLS check: what a live endpoint negotiates and presents, as findings with a severity.
// A warning or an error is a weak finding (the CLI exits 1 on one).
import type { SecureVersion } from 'node:tls';
import { NetworkError } from '../errors.js';
import type { ChainCertificate } from './pin.js';
import { type LiveChain, type TlsTarget, connectTls, fetchChain } from './tls-chain.js';
import { DAY_MS } from '../../common/time.js';

export type Severity = 'ok' | 'info' | 'warning' | 'error';

export type FindingCheck =
  | 'protocol'
  | 'cipher'
  | 'forward-secrecy'
  | 'chain-trust'
  | 'hostname'
  | 'expiry'
  | 'legacy-tls1.0'
  | 'legacy-tls1.1'
  | 'pins';

export interface Finding {
  readonly check: FindingCheck;
  readonly severity: Severity;
  readonly message: string;
}

export type LegacyVerdict = 'accepted' | 'refused' | 'unknown';

export interface TlsReport {
  readonly chain: LiveChain;
  readonly legacy: Readonly<Record<'TLSv1' | 'TLSv1.1', LegacyVerdict>>;
  readonly findings: ReadonlyArray<Finding>;
  /** No warning and no error. */
  readonly ok: boolean;
}

export const EXPIRY_WARNING_DAYS = 30;

export function isWeak(finding: Finding): boolean {
  return finding.severity === 'warning' || finding.severity === 'error';
}

/** OpenSSL's verification codes, in words a user can act on. */
const TRUST_REASONS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a root that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the issuer of the certificate is unknown (missing intermediate, or an untrusted CA)',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of a certificate in the chain is unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the chain leads to a CA that is not trusted here (pass its root with --ca)',
  CERT_HAS_EXPIRED: 'a certificate in the chain has expired',
  CERT_NOT_YET_VALID: 'a certificate in the chain is not valid yet',
  CERT_SIGNATURE_FAILURE: 'a signature in the chain does not verify',
  CERT_REVOKED: 'a certificate in the chain is revoked',
};

export function protocolFinding(protocol: string): Finding {
  if (protocol === 'TLSv1.3') return { check: 'protocol', severity: 'ok', message: 'TLS 1.3 negotiated' };
  if (protocol === 'TLSv1.2') return { check: 'protocol', severity: 'info', message: 'TLS 1.2 negotiated (the server does not offer TLS 1.3)' };
  return { check: 'protocol', severity: 'error', message: `${protocol} negotiated: an obsolete protocol` };
}

/** Forward secrecy: TLS 1.3 always; before it, only (EC)DHE key exchange. */
export function hasForwardSecrecy(protocol: string, cipherName: string): boolean {
  return protocol === 'TLSv1.3' || /^(?:ECDHE|DHE|EDH)-/.test(cipherName) || /_ECDHE_|_DHE_/.test(cipherName);
}

export function cipherFindings(chain: Pick<LiveChain, 'protocol' | 'cipher' | 'ephemeralKey'>): Finding[] {
  const { name } = chain.cipher;
  const aead = /GCM|CHACHA20|CCM/.test(name) || chain.protocol === 'TLSv1.3';
  const cipher: Finding = aead
    ? { check: 'cipher', severity: 'ok', message: `cipher ${name} (authenticated encryption)` }
    : { check: 'cipher', severity: 'warning', message: `cipher ${name} is not an AEAD cipher (CBC or older): prefer AES-GCM or ChaCha20-Poly1305` };
  const exchange = chain.ephemeralKey ? ` via ${chain.ephemeralKey}` : '';
  const fs: Finding = hasForwardSecrecy(chain.protocol, name)
    ? { check: 'forward-secrecy', severity: 'ok', message: `forward secrecy${chain.protocol === 'TLSv1.3' ? ' (TLS 1.3)' : ''}${exchange}` }
    : { check: 'forward-secrecy', severity: 'warning', message: `no forward secrecy: ${name} uses static key exchange; a stolen server key decrypts recorded traffic` };
  return [cipher, fs];
}

export function trustFinding(chain: Pick<LiveChain, 'trusted' | 'trustError'>): Finding {
  if (chain.trusted) return { check: 'chain-trust', severity: 'ok', message: 'the chain verifies against the trusted roots' };
  const code = chain.trustError ?? 'unknown';
  const reason = TRUST_REASONS[code] ?? 'it does not verify';
  return { check: 'chain-trust', severity: 'error', message: `the chain is not trusted: ${reason} (${code})` };
}

export function hostnameFinding(chain: Pick<LiveChain, 'checkedName' | 'hostnameError'>): Finding {
  if (!chain.hostnameError) return { check: 'hostname', severity: 'ok', message: `the certificate is valid for ${chain.checkedName}` };
  return { check: 'hostname', severity: 'error', message: `the certificate does not match ${chain.checkedName}: ${chain.hostnameError}` };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function label(certificate: ChainCertificate): string {
  return certificate.role === 'leaf' ? 'the certificate' : `the ${certificate.role} certificate (${certificate.subject})`;
}

export function expiryFinding(certificate: ChainCertificate, now: Date): Finding {
  const from = new Date(certificate.validFrom).getTime();
  const to = new Date(certificate.validTo).getTime();
  const what = label(certificate);
  if (now.getTime() < from) {
    return { check: 'expiry', severity: 'error', message: `${what} is not valid until ${certificate.validFrom.slice(0, 10)}` };
  }
  if (now.getTime() > to) {
    const days = Math.floor((now.getTime() - to) / DAY_MS);
    return { check: 'expiry', severity: 'error', message: `${what} expired on ${certificate.validTo.slice(0, 10)} (${plural(days, 'day')} ago)` };
  }
  const days = Math.floor((to - now.getTime()) / DAY_MS);
  if (days < EXPIRY_WARNING_DAYS) {
    return { check: 'expiry', severity: 'warning', message: `${what} expires in ${plural(days, 'day')} (${certificate.validTo.slice(0, 10)}): renew it` };
  }
  return { check: 'expiry', severity: 'ok', message: `${what} expires in ${plural(days, 'day')} (${certificate.validTo.slice(0, 10)})` };
}

/** The leaf always; other certificates of the chain only when they need attention. */
export function expiryFindings(certificates: ReadonlyArray<ChainCertificate>, now: Date): Finding[] {
  return certificates
    .map((c) => ({ c, f: expiryFinding(c, now) }))
    .filter(({ c, f }) => c.role === 'leaf' || f.severity !== 'ok')
    .map(({ f }) => f);
}

/**
 * Does the server still complete a handshake with only this old version allowed? A separate
 * connection with the security level lowered so that Node's OpenSSL offers it at all.
 */
export async function probeLegacy(target: TlsTarget, version: 'TLSv1' | 'TLSv1.1'): Promise<LegacyVerdict> {
  try {
    const { socket } = await connectTls(target, {
      minVersion: version as SecureVersion,
      maxVersion: version as SecureVersion,
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
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
  const name = version === 'TLSv1' ? 'TLS 1.0' : 'TLS 1.1';
  if (verdict === 'accepted') return { check, severity: 'warning', message: `the server also accepts ${name}: disable it (obsolete since RFC 8996)` };
  if (verdict === 'refused') return { check, severity: 'ok', message: `${name} refused` };
  return { check, severity: 'info', message: `${name}: the probe got no answer in time` };
}

export interface ReportOptions {
  readonly now?: Date;
  /** Skip the TLS 1.0/1.1 probes (two more connections). */
  readonly skipLegacy?: boolean;
}

export function findingsOf(chain: LiveChain, legacy: TlsReport['legacy'] | null, now: Date): Finding[] {
  return [
    protocolFinding(chain.protocol),
    ...cipherFindings(chain),
    trustFinding(chain),
    hostnameFinding(chain),
    ...expiryFindings(chain.certificates, now),
    ...(legacy ? [legacyFinding('TLSv1', legacy.TLSv1), legacyFinding('TLSv1.1', legacy['TLSv1.1'])] : []),
  ];
}

/** Connects (with the legacy probes alongside) and judges what it saw. */
export async function checkTls(target: TlsTarget, options: ReportOptions = {}): Promise<TlsReport> {
  const now = options.now ?? new Date();
  const [chain, tls10, tls11] = await Promise.all([
    fetchChain(target),
    options.skipLegacy ? Promise.resolve<LegacyVerdict>('unknown') : probeLegacy(target, 'TLSv1'),
    options.skipLegacy ? Promise.resolve<LegacyVerdict>('unknown') : probeLegacy(target, 'TLSv1.1'),
  ]);
  const legacy = { TLSv1: tls10, 'TLSv1.1': tls11 } as const;
  const findings = findingsOf(chain, options.skipLegacy ? null : legacy, now);
  return { chain, legacy, findings, ok: !findings.some(isWeak) };
}
