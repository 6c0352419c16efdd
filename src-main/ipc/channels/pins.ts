// The pins area: TLS certificate pins. Everything here is public material (certificates, pins,
// CSRs); a backup key's private key stays in the keychain and no result names it.
import { z } from 'zod';
import { BACKUP_KEY_ALGORITHMS, CERTIFICATE_ROLES, FINDING_FACT_KEYS, FINDING_CHECKS, FINDING_CODES, LEGACY_VERDICTS, PIN_EXPORT_FORMATS, PIN_VERDICTS, SEVERITIES } from '../../common/pins.js';
import { defineChannels } from './spec.js';

/** An uploaded certificate file: at most this many bytes (a chain is a few kilobytes). */
export const MAX_CERTIFICATE_FILE_BYTES = 256 * 1024;
/** Base64 of MAX_CERTIFICATE_FILE_BYTES, rounded up. */
const MAX_BASE64 = Math.ceil(MAX_CERTIFICATE_FILE_BYTES / 3) * 4;

const Endpoint = z.string().trim().min(3, 'give HOST:PORT').max(300);
const Host = z.string().trim().min(1, 'give a host name or pattern').max(260);
const PinText = z.string().trim().min(1).max(200);
const TimeoutMs = z.number().int().min(100).max(120_000);

/** How to reach a live TLS endpoint. */
const ConnectArgs = {
  endpoint: Endpoint,
  /** SNI name and the name the certificate must match; the host when absent. */
  servername: z.string().trim().min(1).max(255).optional(),
  /** An extra trusted root (PEM), e.g. of a private PKI. */
  caPem: z.string().max(64 * 1024).optional(),
  timeoutMs: TimeoutMs.optional(),
};

export const ChainCertificateSchema = z.object({
  role: z.enum(CERTIFICATE_ROLES),
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  serialNumber: z.string(),
  keyType: z.string(),
  keyBits: z.number().int().nullable(),
  signatureAlgorithm: z.string(),
  revocationInfo: z.boolean(),
  selfIssued: z.boolean(),
  pin: z.string(),
});

export const PinSetSchema = z.object({
  host: z.string(),
  pins: z.array(z.string()),
  backupPins: z.array(z.string()),
  expires: z.string().nullable(),
  expired: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The chain role of each active pin, where known. */
  roles: z.array(z.object({ pin: z.string(), role: z.enum(CERTIFICATE_ROLES) })),
});

const CipherSchema = z.object({ name: z.string(), standardName: z.string(), version: z.string() });

export const LiveChainSchema = z.object({
  endpoint: z.string(),
  servername: z.string().nullable(),
  checkedName: z.string(),
  protocol: z.string(),
  cipher: CipherSchema,
  ephemeralKey: z.string().nullable(),
  trusted: z.boolean(),
  trustError: z.string().nullable(),
  hostnameError: z.string().nullable(),
  validFor: z.string(),
  /** TLS 1.2 and 1.3 were refused; the chain was read over TLS 1.0/1.1. */
  legacyOnly: z.boolean(),
  certificates: z.array(ChainCertificateSchema),
});

/** A finding as data; the page words it with common/pins.ts describeFinding. */
export const FindingSchema = z.object({
  check: z.enum(FINDING_CHECKS),
  code: z.enum(FINDING_CODES),
  severity: z.enum(SEVERITIES),
  certificate: z.object({ role: z.enum(CERTIFICATE_ROLES), subject: z.string() }).nullable(),
  setting: z.string().nullable(),
  facts: z.strictObject(Object.fromEntries(FINDING_FACT_KEYS.map((key) => [key, z.union([z.string(), z.number()]).optional()]))),
});

export const PinCheckSchema = z.object({
  verdict: z.enum(PIN_VERDICTS),
  hostname: z.string(),
  patterns: z.array(z.string()),
  /** Every pin the applying sets hold (active and backup). */
  pinned: z.array(z.string()),
  /** The chain's pins, to show beside the pinned ones on a mismatch. */
  chain: z.array(z.object({ role: z.enum(CERTIFICATE_ROLES), subject: z.string(), pin: z.string() })),
  matched: z.object({ role: z.enum(CERTIFICATE_ROLES), subject: z.string(), pin: z.string() }).nullable(),
  expiredSets: z.array(z.string()),
  message: z.string(),
});

export const TlsCheckSchema = z.object({
  /** No warning and no error, pins included. */
  ok: z.boolean(),
  chain: LiveChainSchema,
  legacy: z.object({ 'TLSv1': z.enum(LEGACY_VERDICTS), 'TLSv1.1': z.enum(LEGACY_VERDICTS) }),
  findings: z.array(FindingSchema),
  pins: PinCheckSchema,
});

export const BackupKeySchema = z.object({
  id: z.string(),
  host: z.string(),
  algorithm: z.string(),
  pin: z.string(),
  csrPem: z.string(),
  createdAt: z.string(),
});

export const pinsChannels = defineChannels({
  /** The chain in an uploaded file (PEM bundle or DER), a CSR's or a public key's pin. */
  'pins.computeFromFile': {
    args: z.strictObject({
      fileName: z.string().trim().min(1).max(255),
      /** The file's bytes, base64. */
      base64: z
        .string()
        .max(MAX_BASE64, `the file is larger than ${MAX_CERTIFICATE_FILE_BYTES / 1024} KiB; a certificate chain is a few KiB`)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'the file bytes must be base64'),
    }),
    result: z.object({
      source: z.string(),
      kind: z.enum(['certificate', 'csr', 'public-key']),
      certificates: z.array(ChainCertificateSchema),
      /** The pin of a CSR or public key (for certificates, each certificate carries its own). */
      pin: z.string().nullable(),
    }),
  },
  /** The chain a live endpoint presents, with each certificate's pin. */
  'pins.computeFromHost': { args: z.strictObject(ConnectArgs), result: LiveChainSchema },
  'pins.listSets': { args: z.strictObject({}), result: z.object({ sets: z.array(PinSetSchema), backupKeys: z.array(BackupKeySchema) }) },
  /** Adds or replaces a host's pin set; a backup pin is required. */
  'pins.saveSet': {
    args: z.strictObject({
      host: Host,
      pins: z.array(PinText).min(1, 'give at least one active pin').max(16),
      backupPins: z.array(PinText).min(1, 'give a backup pin: a set without one bricks clients at the next key change').max(16),
      expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write the expiry as YYYY-MM-DD').optional(),
    }),
    result: z.object({ set: PinSetSchema, replaced: z.boolean() }),
  },
  'pins.removeSet': {
    args: z.strictObject({ host: Host, confirm: z.literal(true, { error: 'removing a pin set needs confirm: true' }) }),
    result: z.object({ host: z.string() }),
  },
  /** A new backup key (private key into the keychain): its pin and CSR. */
  'pins.createBackupKey': {
    args: z.strictObject({
      host: Host,
      subject: z.string().trim().max(500).optional(),
      algorithm: z.enum(BACKUP_KEY_ALGORITHMS).optional(),
    }),
    result: BackupKeySchema,
  },
  /** The TLS report and the pin verdict of a live endpoint. */
  'pins.check': {
    args: z.strictObject({ ...ConnectArgs, legacy: z.boolean().optional() }),
    result: TlsCheckSchema,
  },
  /** A pin set in a format's syntax, limited to the roles its client can pin; refused when none is left. */
  'pins.export': {
    args: z.strictObject({ host: Host, format: z.enum(PIN_EXPORT_FORMATS) }),
    result: z.object({
      host: z.string(),
      format: z.enum(PIN_EXPORT_FORMATS),
      text: z.string(),
      pinnableRoles: z.array(z.enum(CERTIFICATE_ROLES)),
      excluded: z.array(z.object({ pin: z.string(), role: z.enum(CERTIFICATE_ROLES) })),
      unknownRoles: z.array(z.string()),
    }),
  },
});
