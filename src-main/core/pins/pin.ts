// TLS pins: base64 of SHA-256 over the DER SubjectPublicKeyInfo, written `sha256/BASE64`
// (ARCHITECTURE.md section 4). Always the SPKI of the certificate, never Node's
// `getPeerCertificate().pubkey`, which for EC keys is the bare point and gives a pin no other
// tool computes.
import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import type { CertificateRole } from '../../common/pins.js';

export type { CertificateRole } from '../../common/pins.js';

/** A pin, always in the canonical form `sha256/BASE64` (44 base64 characters). */
export type Pin = string;

/** One certificate of a chain, as shown to the user and compared against pin sets. */
export interface ChainCertificate {
  readonly role: CertificateRole;
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly serialNumber: string;
  /** The key type and size, e.g. `ec P-256`, `rsa 2048`, `ed25519`. */
  readonly keyType: string;
  /** The key size in bits (RSA/DSA modulus, EC curve order); null for Ed25519/Ed448 and unknown keys. */
  readonly keyBits: number | null;
  /** The signature algorithm of the certificate, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA1`. */
  readonly signatureAlgorithm: string;
  /** The certificate names a CRL distribution point or an OCSP responder. */
  readonly revocationInfo: boolean;
  /** Subject and issuer are the same name: a root, or a self-signed leaf. */
  readonly selfIssued: boolean;
  readonly pin: Pin;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export function pinOfSpki(spkiDer: Uint8Array): Pin {
  return `sha256/${createHash('sha256').update(spkiDer).digest('base64')}`;
}

interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') }));
}

function looksLikePem(input: string | Uint8Array): boolean {
  const head = typeof input === 'string' ? input : Buffer.from(input.subarray(0, 4096)).toString('latin1');
  return head.includes('-----BEGIN ');
}

function asText(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
}

function parseCertificate(der: Buffer | string, where: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw new InvalidInputError(`${where} is not a readable X.509 certificate (${(error as Error).message})`);
  }
}

function certificatesOf(input: string | Uint8Array, where: string): X509Certificate[] {
  if (looksLikePem(input)) {
    const blocks = pemBlocks(asText(input)).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    if (blocks.length === 0) throw new InvalidInputError(`${where} holds no "-----BEGIN CERTIFICATE-----" block`);
    return blocks.map((b, i) => parseCertificate(b.der, blocks.length > 1 ? `certificate ${i + 1} of ${where}` : where));
  }
  if (typeof input === 'string') throw new InvalidInputError(`${where} is neither PEM nor DER`);
  if (input.length === 0 || input[0] !== 0x30) throw new InvalidInputError(`${where} is neither a PEM certificate ("-----BEGIN CERTIFICATE-----") nor a DER one`);
  return [parseCertificate(Buffer.from(input), where)];
}

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

function keyBitsOf(certificate: X509Certificate): number | null {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
      return details.modulusLength ?? null;
    case 'ec':
      return CURVE_BITS[details.namedCurve ?? ''] ?? null;
    default:
      return null;
  }
}

function keyTypeOf(certificate: X509Certificate): string {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
      return `${key.asymmetricKeyType} ${details.modulusLength ?? '?'}`;
    case 'ec': {
      const curve = details.namedCurve;
      const named = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : curve;
      return `ec ${named ?? '?'}`;
    }
    default:
      return key.asymmetricKeyType ?? 'unknown';
  }
}

export function pinOfX509(certificate: X509Certificate): Pin {
  return pinOfSpki(certificate.publicKey.export({ type: 'spki', format: 'der' }));
}

/** The one-line distinguished name, in the order OpenSSL prints it (`CN=..., O=...` joined). */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

export function describeCertificate(certificate: X509Certificate, role: CertificateRole): ChainCertificate {
  return {
    role,
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    validFrom: new Date(certificate.validFrom).toISOString(),
    validTo: new Date(certificate.validTo).toISOString(),
    serialNumber: certificate.serialNumber,
    keyType: keyTypeOf(certificate),
    keyBits: keyBitsOf(certificate),
    signatureAlgorithm: signatureAlgorithmOf(certificate),
    revocationInfo: hasRevocationInfo(certificate),
    selfIssued: certificate.subject === certificate.issuer,
    pin: pinOfX509(certificate),
  };
}

/** Roles by position: the first is the leaf, a self-issued one after it the root. */
export function describeChain(certificates: ReadonlyArray<X509Certificate>): ReadonlyArray<ChainCertificate> {
  return certificates.map((c, i) => describeCertificate(c, i === 0 ? 'leaf' : c.subject === c.issuer ? 'root' : 'intermediate'));
}

/** The pin of a certificate in PEM or DER; of a PEM bundle, its first certificate. */
export function pinOfCertificate(pemOrDer: string | Uint8Array, where = 'the certificate'): Pin {
  return pinOfX509(certificatesOf(pemOrDer, where)[0]!);
}

/** Every certificate of a PEM bundle (leaf first, as servers send them), described and pinned. */
export function certificatesOfBundle(pemOrDer: string | Uint8Array, where = 'the certificate file'): ReadonlyArray<ChainCertificate> {
  return describeChain(certificatesOf(pemOrDer, where));
}

/** The pins of every certificate of a PEM bundle, in file order. */
export function pinsOfBundle(pem: string | Uint8Array, where = 'the certificate bundle'): ReadonlyArray<Pin> {
  return certificatesOf(pem, where).map(pinOfX509);
}

/** The pin of a public key: SPKI in PEM (`PUBLIC KEY`) or DER, or a PKCS#1 `RSA PUBLIC KEY`. */
export function pinOfPublicKey(pemOrDer: string | Uint8Array, where = 'the public key'): Pin {
  try {
    const key = looksLikePem(pemOrDer)
      ? createPublicKey(asText(pemOrDer))
      : createPublicKey({ key: Buffer.from(typeof pemOrDer === 'string' ? Buffer.from(pemOrDer, 'latin1') : pemOrDer), format: 'der', type: 'spki' });
    if (key.type !== 'public') throw new Error('not a public key');
    return pinOfSpki(key.export({ type: 'spki', format: 'der' }));
  } catch (error) {
    throw new InvalidInputError(`${where} is not a readable public key (${(error as Error).message})`);
  }
}

// A minimal DER reader: enough to find the SubjectPublicKeyInfo inside a PKCS#10 request,
// which Node's crypto cannot parse.
interface DerElement {
  readonly tag: number;
  /** The whole element, header included. */
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

function derElement(bytes: Uint8Array, offset: number, limit: number): DerElement {
  if (offset + 2 > limit) throw new Error('truncated DER');
  const tag = bytes[offset]!;
  let length = bytes[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || contentStart + count > limit) throw new Error('bad DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[contentStart + i]!;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new Error('truncated DER');
  return { tag, start: offset, contentStart, end };
}

function spkiOfCsr(der: Uint8Array): Uint8Array {
  const SEQUENCE = 0x30;
  const request = derElement(der, 0, der.length);
  if (request.tag !== SEQUENCE) throw new Error('not a DER sequence');
  const info = derElement(der, request.contentStart, request.end);
  if (info.tag !== SEQUENCE) throw new Error('no certificationRequestInfo');
  const version = derElement(der, info.contentStart, info.end);
  const subject = derElement(der, version.end, info.end);
  const spki = derElement(der, subject.end, info.end);
  if (version.tag !== 0x02 || subject.tag !== SEQUENCE || spki.tag !== SEQUENCE) throw new Error('unexpected structure');
  return der.subarray(spki.start, spki.end);
}

const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

function oidText(bytes: Uint8Array): string {
  const parts = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let value = 0;
  for (const b of bytes.subarray(1)) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** The outer signatureAlgorithm of a certificate (Node 20's X509Certificate does not expose it). */
export function signatureAlgorithmOf(certificate: X509Certificate): string {
  try {
    const der = certificate.raw;
    const outer = derElement(der, 0, der.length);
    const tbs = derElement(der, outer.contentStart, outer.end);
    const algorithm = derElement(der, tbs.end, outer.end);
    const oid = derElement(der, algorithm.contentStart, algorithm.end);
    if (oid.tag !== 0x06) return 'unknown';
    const text = oidText(der.subarray(oid.contentStart, oid.end));
    return SIGNATURE_ALGORITHMS[text] ?? text;
  } catch {
    return 'unknown';
  }
}

/** The DER of the extension OID 2.5.29.31 (cRLDistributionPoints). */
const CRL_DISTRIBUTION_POINTS_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x1f]);

/** A CRL distribution point or an OCSP responder (in Authority Information Access). */
export function hasRevocationInfo(certificate: X509Certificate): boolean {
  return /OCSP - URI:/.test(certificate.infoAccess ?? '') || certificate.raw.includes(CRL_DISTRIBUTION_POINTS_OID);
}

/** The digest a signature algorithm uses when it is one that is broken for signatures (MD2, MD5, SHA-1). */
export function weakSignatureDigest(algorithm: string): 'MD2' | 'MD5' | 'SHA-1' | null {
  if (/^md2/i.test(algorithm)) return 'MD2';
  if (/^md5/i.test(algorithm)) return 'MD5';
  if (/sha1(?!\d)|SHA1$/i.test(algorithm)) return 'SHA-1';
  return null;
}

/** The pin of the key in a PKCS#10 certificate signing request (PEM or DER). */
export function pinOfCsr(pemOrDer: string | Uint8Array, where = 'the certificate request'): Pin {
  let der: Uint8Array;
  if (looksLikePem(pemOrDer)) {
    const block = pemBlocks(asText(pemOrDer)).find((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST');
    if (!block) throw new InvalidInputError(`${where} holds no "-----BEGIN CERTIFICATE REQUEST-----" block`);
    der = block.der;
  } else {
    der = typeof pemOrDer === 'string' ? Buffer.from(pemOrDer, 'latin1') : pemOrDer;
  }
  try {
    // Re-parsing through createPublicKey rejects anything that is not a well-formed key.
    return pinOfPublicKey(Buffer.from(spkiOfCsr(der)));
  } catch (error) {
    throw new InvalidInputError(`${where} is not a readable PKCS#10 request (${(error as Error).message})`);
  }
}

/**
 * Reads a pin as users paste it: `sha256/B64` (OkHttp), `sha256//B64` (curl) or
 * `pin-sha256="B64"` (HPKP). Returns the canonical `sha256/B64`.
 */
export function parsePin(text: string): Pin {
  const input = text.trim();
  let body: string;
  const hpkp = /^pin-sha256\s*=\s*"?([^"]*)"?;?$/i.exec(input);
  if (hpkp) body = hpkp[1]!;
  // `sha256//X` is curl's form, unless the digest itself starts with '/' (OkHttp's form then
  // reads `sha256//...` too): the length tells them apart.
  else if (/^sha256\/\//i.test(input)) body = input.length === 7 + 44 ? input.slice(7) : input.slice(8);
  else if (/^sha256\//i.test(input)) body = input.slice(7);
  else if (/^sha1\//i.test(input)) {
    throw new InvalidInputError(`pin ${JSON.stringify(text)} is a SHA-1 pin; Curvekeep uses SHA-256 pins only (sha256/...)`);
  } else {
    throw new InvalidInputError(`pin ${JSON.stringify(text)} must be written sha256/BASE64, sha256//BASE64 or pin-sha256="BASE64"`);
  }
  body = body.trim();
  if (/[-_]/.test(body)) {
    throw new InvalidInputError(`pin ${JSON.stringify(text)} uses URL-safe base64 ('-' or '_'); pins use standard base64 with '+' and '/'`);
  }
  if (!BASE64.test(body)) {
    const bad = [...body].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
    const why = bad >= 0 ? `character ${JSON.stringify(body[bad])} at position ${bad + 1} is not base64` : 'its base64 length or padding is wrong';
    throw new InvalidInputError(`pin ${JSON.stringify(text)} is not valid base64: ${why}`);
  }
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length !== 32) {
    throw new InvalidInputError(`pin ${JSON.stringify(text)} decodes to ${bytes.length} bytes; a SHA-256 pin is 32 bytes (44 base64 characters ending in '=')`);
  }
  return `sha256/${bytes.toString('base64')}`;
}

/** The base64 digest alone, as Android and HPKP write it. */
export function pinDigest(pin: Pin): string {
  return pin.slice('sha256/'.length);
}
