// The pins area's shared words: certificate roles, export formats and which roles each format's
// client can pin, finding severities and codes, and how a finding reads. Core, the IPC contract,
// the CLI and the page import them; nothing retypes them. No dependencies.

export const CERTIFICATE_ROLES = ['leaf', 'intermediate', 'root'] as const;
export type CertificateRole = (typeof CERTIFICATE_ROLES)[number];

export const PIN_EXPORT_FORMATS = ['okhttp', 'android', 'curl', 'hpkp', 'json'] as const;
export type PinExportFormat = (typeof PIN_EXPORT_FORMATS)[number];

/**
 * The chain certificates each format's client compares pins against. curl's `--pinnedpubkey`
 * checks only the server's own (leaf) key; OkHttp, Android and HPKP accept a pin anywhere in the
 * chain. A backup pin is a leaf key held in reserve, so it is pinnable wherever the leaf is.
 */
export const PIN_EXPORT_ROLES: Readonly<Record<PinExportFormat, ReadonlyArray<CertificateRole>>> = {
  okhttp: CERTIFICATE_ROLES,
  android: CERTIFICATE_ROLES,
  curl: ['leaf'],
  hpkp: CERTIFICATE_ROLES,
  json: CERTIFICATE_ROLES,
};

export const PIN_EXPORT_TITLES: Readonly<Record<PinExportFormat, string>> = {
  okhttp: 'OkHttp CertificatePinner',
  android: 'Android network-security-config',
  curl: 'curl --pinnedpubkey value',
  hpkp: 'HPKP header',
  json: 'JSON',
};

/** Key types for a backup key (a key held in reserve for the server's next certificate). */
export const BACKUP_KEY_ALGORITHMS = ['ec-p256', 'rsa-3072'] as const;
export type BackupKeyAlgorithm = (typeof BACKUP_KEY_ALGORITHMS)[number];

export const SEVERITIES = ['ok', 'info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A warning or an error: the check fails (the CLI exits 1). */
export function isWeakSeverity(severity: Severity): boolean {
  return severity === 'warning' || severity === 'error';
}

export const PIN_VERDICTS = ['match', 'mismatch', 'no-pin-set'] as const;
export type PinVerdict = (typeof PIN_VERDICTS)[number];

export const LEGACY_VERDICTS = ['accepted', 'refused', 'unknown'] as const;
export type LegacyVerdict = (typeof LEGACY_VERDICTS)[number];

/** What a finding is about: one line per area in a report. */
export const FINDING_CHECKS = [
  'protocol',
  'legacy-tls1.0',
  'legacy-tls1.1',
  'cipher',
  'forward-secrecy',
  'key-exchange',
  'key',
  'signature',
  'chain',
  'chain-trust',
  'hostname',
  'expiry',
  'validity',
  'revocation',
  'pins',
] as const;
export type FindingCheck = (typeof FINDING_CHECKS)[number];

/** What was found, one code per situation; the faces phrase it from the code and the facts. */
export const FINDING_CODES = [
  'tls13',
  'tls12',
  'legacy-only',
  'legacy-accepted',
  'legacy-refused',
  'legacy-unknown',
  'aead-cipher',
  'cbc-cipher',
  'forward-secrecy',
  'no-forward-secrecy',
  'weak-dh',
  'key-size',
  'weak-key',
  'weak-signature',
  'chain-incomplete',
  'chain-out-of-order',
  'trusted',
  'untrusted',
  'hostname-match',
  'hostname-mismatch',
  'valid',
  'expires-soon',
  'expired',
  'not-yet-valid',
  'validity-too-long',
  'no-revocation-info',
  'pin-match',
  'pin-mismatch',
  'no-pin-set',
  'pin-set-expired',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface FindingCertificate {
  readonly role: CertificateRole;
  readonly subject: string;
}

/** The facts a finding may carry, by name (a closed set, so that the IPC contract stays a closed shape). */
export const FINDING_FACT_KEYS = [
  'days',
  'date',
  'keyType',
  'bits',
  'minimum',
  'algorithm',
  'digest',
  'issuer',
  'position',
  'sent',
  'reason',
  'name',
  'validFor',
  'pin',
  'hostname',
  'host',
  'expires',
  'exchange',
] as const;
export type FindingFactKey = (typeof FINDING_FACT_KEYS)[number];
export type FindingFacts = Partial<Record<FindingFactKey, string | number>>;

/** One finding of a TLS check, as data. */
export interface FindingData {
  readonly check: FindingCheck;
  readonly code: FindingCode;
  readonly severity: Severity;
  /** The certificate the finding is about, when it is about one. */
  readonly certificate: FindingCertificate | null;
  /** The negotiated or offered setting it is about: a protocol, a cipher, a key exchange. */
  readonly setting: string | null;
  /** What the phrase needs: days, bits, an algorithm, OpenSSL's reason code, names. */
  readonly facts: Readonly<FindingFacts>;
}

/** Minimum key sizes below which testssl.sh rates a key MEDIUM or worse (and OpenSSL's level 2 refuses RSA). */
export const MIN_RSA_BITS = 2048;
export const MIN_EC_BITS = 256;
export const MIN_DH_BITS = 2048;
/** CA/Browser Forum limit on a leaf's lifetime since 2020-09-01. */
export const MAX_LEAF_VALIDITY_DAYS = 398;
export const EXPIRY_WARNING_DAYS = 30;

const PROTOCOL_NAMES: Readonly<Record<string, string>> = { TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3' };

export function protocolName(protocol: string): string {
  return PROTOCOL_NAMES[protocol] ?? protocol;
}

/** OpenSSL's verification codes, in words a user can act on. */
const TRUST_REASONS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a root that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the issuer of the certificate is unknown (missing intermediate, or an untrusted CA)',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of a certificate in the chain is unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the chain leads to a CA that is not trusted here',
  CERT_HAS_EXPIRED: 'a certificate in the chain has expired',
  CERT_NOT_YET_VALID: 'a certificate in the chain is not valid yet',
  CERT_SIGNATURE_FAILURE: 'a signature in the chain does not verify',
  CERT_REVOKED: 'a certificate in the chain is revoked',
  EE_KEY_TOO_SMALL: 'the certificate key is too small',
  CA_MD_TOO_WEAK: 'a certificate is signed with a digest that is too weak',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function named(certificate: FindingCertificate | null): string {
  if (!certificate) return 'the certificate';
  return certificate.role === 'leaf' ? `the certificate (${certificate.subject})` : `the ${certificate.role} certificate (${certificate.subject})`;
}

export interface FindingText {
  /** What was found, naming the certificate or setting. */
  readonly message: string;
  /** What to do about it; null when nothing needs doing. */
  readonly advice: string | null;
}

/** A finding in words, the same in the CLI and the page. Advice names no command: each face adds its own. */
export function describeFinding(f: Readonly<FindingData>): FindingText {
  const s = (key: FindingFactKey): string => String(f.facts[key] ?? '?');
  const n = (key: FindingFactKey): number => Number(f.facts[key] ?? 0);
  const cert = named(f.certificate);
  const setting = f.setting ?? '?';
  switch (f.code) {
    case 'tls13':
      return { message: 'TLS 1.3 negotiated', advice: null };
    case 'tls12':
      return { message: 'TLS 1.2 negotiated (the server does not offer TLS 1.3)', advice: null };
    case 'legacy-only':
      return {
        message: `the server speaks only ${protocolName(setting)}: it refused TLS 1.2 and 1.3`,
        advice: 'enable TLS 1.2 and 1.3 on the server and disable TLS 1.0 and 1.1 (obsolete since RFC 8996)',
      };
    case 'legacy-accepted':
      return { message: `the server also accepts ${protocolName(setting)}`, advice: `disable ${protocolName(setting)} (obsolete since RFC 8996)` };
    case 'legacy-refused':
      return { message: `${protocolName(setting)} refused`, advice: null };
    case 'legacy-unknown':
      return { message: `${protocolName(setting)}: the probe got no answer in time`, advice: null };
    case 'aead-cipher':
      return { message: `cipher ${setting} (authenticated encryption)`, advice: null };
    case 'cbc-cipher':
      return { message: `cipher ${setting} is not an AEAD cipher (CBC or older)`, advice: 'offer AES-GCM or ChaCha20-Poly1305 ciphers first, and drop CBC ciphers' };
    case 'forward-secrecy':
      return { message: `forward secrecy${f.facts['exchange'] ? ` via ${s('exchange')}` : ''}`, advice: null };
    case 'no-forward-secrecy':
      return {
        message: `no forward secrecy: ${setting} uses RSA key exchange; a stolen server key decrypts recorded traffic`,
        advice: 'offer only ECDHE (or DHE) key exchange ciphers',
      };
    case 'weak-dh':
      return { message: `key exchange ${setting} uses a ${n('bits')}-bit group`, advice: `use ECDHE, or a DH group of at least ${MIN_DH_BITS} bits` };
    case 'key-size':
      return { message: `${cert} has a ${s('keyType')} key`, advice: null };
    case 'weak-key':
      return {
        message: `${cert} has a ${s('keyType')} key, below ${n('minimum')} bits`,
        advice: `issue it again with an RSA key of at least ${MIN_RSA_BITS} bits or an EC key of at least ${MIN_EC_BITS} bits`,
      };
    case 'weak-signature':
      return { message: `${cert} is signed with ${s('algorithm')} (${s('digest')} is broken for signatures)`, advice: 'have it signed again with SHA-256 or better' };
    case 'chain-incomplete':
      return {
        message: `the server sends an incomplete chain: ${s('issuer')}, the issuer of ${cert}, is missing`,
        advice: 'configure the server to send its intermediate certificates after the leaf',
      };
    case 'chain-out-of-order':
      return {
        message: `the server sends its chain out of order: ${cert} is at position ${n('position')}`,
        advice: 'send the leaf first, then each issuer in turn',
      };
    case 'trusted':
      return { message: 'the chain verifies against the trusted roots', advice: null };
    case 'untrusted': {
      const reason = TRUST_REASONS[s('reason')] ?? 'it does not verify';
      return { message: `the chain is not trusted: ${reason} (${s('reason')})`, advice: 'pin only after checking the chain with the server admin, or add its private root CA' };
    }
    case 'hostname-match':
      return { message: `the certificate is valid for ${s('name')}`, advice: null };
    case 'hostname-mismatch':
      return { message: `the certificate does not match ${s('name')}: it is valid for ${s('validFor')} only`, advice: 'use the name the certificate was issued for, or issue it for this name' };
    case 'valid':
      return { message: `${cert} expires in ${plural(n('days'), 'day')} (${s('date')})`, advice: null };
    case 'expires-soon':
      return { message: `${cert} expires in ${plural(n('days'), 'day')} (${s('date')})`, advice: 'renew it' };
    case 'expired':
      return { message: `${cert} expired on ${s('date')} (${plural(n('days'), 'day')} ago)`, advice: 'renew it' };
    case 'not-yet-valid':
      return { message: `${cert} is not valid until ${s('date')}`, advice: "check the server's clock and the certificate's start date" };
    case 'validity-too-long':
      return {
        message: `${cert} is valid for ${plural(n('days'), 'day')}, more than ${MAX_LEAF_VALIDITY_DAYS}`,
        advice: `issue leaf certificates for at most ${MAX_LEAF_VALIDITY_DAYS} days`,
      };
    case 'no-revocation-info':
      return {
        message: `${cert} names no CRL or OCSP responder: clients cannot learn that it was revoked`,
        advice: 'for a public CA this is a defect; in a private PKI, replace a compromised key by moving clients to the backup pin',
      };
    case 'pin-match':
      return { message: `pin matched on the ${f.certificate?.role ?? '?'} certificate (${f.certificate?.subject ?? '?'}): ${s('pin')}`, advice: null };
    case 'pin-mismatch':
      return { message: `pin mismatch for ${s('hostname')}: no certificate of the chain carries a pinned key`, advice: 'compare the chain pins with the pinned ones before changing the pin set' };
    case 'no-pin-set':
      return { message: `no pin set applies to ${s('hostname')}`, advice: null };
    case 'pin-set-expired':
      return { message: `the pin set for ${s('host')} expired on ${s('expires')}`, advice: 'renew the pin set' };
  }
}
