// The metadata document: everything but secrets. Schema version 1 is the first release; later
// versions add a migration in migrations.ts. Validated on every load, so a hand edit that breaks
// the shape is refused with the path of the first bad field.
import { z } from 'zod';

export { SCHEMA_VERSION } from './schema-version.js';

const isoTime = z.string().datetime({ offset: true });
const z85Key = z.string().length(40);

export { ROLES, type Role } from '../../common/roles.js';
import { ROLES } from '../../common/roles.js';
import { CERTIFICATE_ROLES } from '../../common/pins.js';

export { KEY_STATES, type KeyState } from '../../common/rotation.js';
import { KEY_STATES } from '../../common/rotation.js';

export const LinkTestRecordSchema = z.object({
  endpoint: z.string(),
  verdict: z.string(),
  at: isoTime,
  handshakeMs: z.number().optional(),
  forced: z.boolean().optional(),
});
export type LinkTestRecord = z.infer<typeof LinkTestRecordSchema>;

export const KeyGenerationSchema = z.object({
  generation: z.number().int().min(1),
  publicKey: z85Key,
  state: z.enum(KEY_STATES),
  createdAt: isoTime,
  promotedAt: isoTime.optional(),
  graceUntil: isoTime.optional(),
  retiredAt: isoTime.optional(),
  revokedAt: isoTime.optional(),
  /** The last live test made with this generation's key (rotation gates promotion on it). */
  lastTest: LinkTestRecordSchema.optional(),
});
export type KeyGeneration = z.infer<typeof KeyGenerationSchema>;

export const IdentitySchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  role: z.enum(ROLES),
  tags: z.array(z.string()),
  endpoints: z.array(z.string()),
  createdAt: isoTime,
  /** Days between rotations; null means never due. */
  rotateEveryDays: z.number().int().positive().nullable(),
  generations: z.array(KeyGenerationSchema).min(1),
});
export type Identity = z.infer<typeof IdentitySchema>;

export const VerificationSchema = z.object({
  state: z.enum(['unverified', 'verified', 'mismatch']),
  at: isoTime.optional(),
  by: z.string().optional(),
});

export const LinkHistorySchema = z.object({
  lastVerdict: z.string().optional(),
  lastAt: isoTime.optional(),
  lastSuccessAt: isoTime.optional(),
  lastEndpoint: z.string().optional(),
});
export type LinkHistory = z.infer<typeof LinkHistorySchema>;

export const PeerSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  publicKey: z85Key,
  endpoints: z.array(z.string()),
  tags: z.array(z.string()),
  /** Part of the allowlist handed to servers and to `serve --allow peers`. */
  allowed: z.boolean(),
  createdAt: isoTime,
  source: z.string().optional(),
  verification: VerificationSchema,
  link: LinkHistorySchema.optional(),
});
export type Peer = z.infer<typeof PeerSchema>;

export const PinSetSchema = z.object({
  host: z.string().min(1),
  pins: z.array(z.string()).min(1),
  /** Pins not in the live chain when the set was made: what a renewal moves to. */
  backupPins: z.array(z.string()),
  expires: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
  /** The chain role of each active pin, where it was known when pinned (a live chain was read). */
  roles: z.record(z.string(), z.enum(CERTIFICATE_ROLES)).optional(),
  /** The last `pins check` of a host this set applies to: public facts of the leaf, for `status`. */
  lastCheck: z
    .object({
      at: isoTime,
      /** The name checked (SNI and certificate name) and the endpoint connected to. */
      hostname: z.string(),
      endpoint: z.string(),
      leafSubject: z.string(),
      leafNotAfter: isoTime,
      pinMatched: z.boolean(),
    })
    .optional(),
});
export type PinSet = z.infer<typeof PinSetSchema>;
export type PinSetLastCheck = NonNullable<PinSet['lastCheck']>;

export const BackupKeySchema = z.object({
  id: z.string().min(1),
  host: z.string().min(1),
  algorithm: z.string(),
  pin: z.string(),
  csrPem: z.string(),
  createdAt: isoTime,
});
export type BackupKey = z.infer<typeof BackupKeySchema>;

export const DEVICE_STATES = ['active', 'removed'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/**
 * A device: a client provisioned for one of our servers. Not a peer: never swept or link-tested
 * from here; the server's allowlist is its active devices plus the peers allowed to connect to it.
 */
export const DeviceSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  publicKey: z85Key,
  /** The server it connects to: an own identity's id (or a peer's, when a peer is the server). */
  server: z.string().min(1),
  /** The provisioning batch that made it; null for devices migrated from peers. */
  batch: z.string().nullable(),
  /** The folder its bundle lives in (the batch's output folder / devices / NAME). */
  bundleDir: z.string().nullable(),
  tags: z.array(z.string()),
  state: z.enum(DEVICE_STATES),
  createdAt: isoTime,
  /** Its secret is also kept in the keychain (an identity of role device of the same name). */
  keptSecret: z.boolean(),
  /** The endpoint its bundle names (reissue writes it again); absent for migrated devices. */
  endpoint: z.string().optional(),
  /** The device this one replaces (reissue). */
  replaces: z.string().optional(),
  /** During a reissue: the old key, still allowed until the reissue is finished. */
  previousPublicKey: z85Key.optional(),
  removedAt: isoTime.optional(),
});
export type Device = z.infer<typeof DeviceSchema>;

const DEVICE_KEYS = new Set(Object.keys(DeviceSchema.shape));
const isString = (v: unknown): v is string => typeof v === 'string';
const isOptionalKey = (v: unknown): boolean => v === undefined || (isString(v) && v.length === 40);

/**
 * The devices list, checked fast: a fleet has 100,000 devices and every command reads the
 * document. A device passes the quick check only if DeviceSchema would accept it unchanged (no
 * unknown keys; each time checked once by zod, as a batch's devices share theirs); anything
 * else goes through DeviceSchema, so errors name the same path and message.
 */
export const DeviceListSchema = z
  .unknown()
  .transform((value, ctx): Device[] => {
    if (value === undefined) return [];
    const goodTimes = new Set<string>();
    const time = (v: unknown): boolean => {
      if (!isString(v)) return false;
      if (goodTimes.has(v)) return true;
      if (!isoTime.safeParse(v).success) return false;
      goodTimes.add(v);
      return true;
    };
    const quick = (d: unknown): boolean => {
      if (typeof d !== 'object' || d === null || Array.isArray(d)) return false;
      const o = d as Record<string, unknown>;
      for (const key in o) if (!DEVICE_KEYS.has(key)) return false;
      return (
        isString(o.id) && o.id.length > 0 && isString(o.name) && o.name.length > 0 && isString(o.publicKey) && o.publicKey.length === 40 &&
        isString(o.server) && o.server.length > 0 && (o.batch === null || isString(o.batch)) && (o.bundleDir === null || isString(o.bundleDir)) &&
        Array.isArray(o.tags) && o.tags.every(isString) && (o.state === 'active' || o.state === 'removed') && time(o.createdAt) &&
        typeof o.keptSecret === 'boolean' && (o.endpoint === undefined || isString(o.endpoint)) && (o.replaces === undefined || isString(o.replaces)) &&
        isOptionalKey(o.previousPublicKey) && (o.removedAt === undefined || time(o.removedAt))
      );
    };
    if (Array.isArray(value) && value.every(quick)) return value as Device[];
    const checked = z.array(DeviceSchema).safeParse(value);
    if (checked.success) return checked.data;
    for (const issue of checked.error.issues) ctx.addIssue({ ...issue, code: 'custom', path: issue.path, message: issue.message } as never);
    return z.NEVER;
  });

export const BatchSchema = z.object({
  id: z.string().min(1),
  createdAt: isoTime,
  csvName: z.string(),
  /** The server's id (as Device.server). */
  server: z.string().min(1),
  outDir: z.string(),
  counts: z.object({ rows: z.number().int().min(0), ok: z.number().int().min(0), skipped: z.number().int().min(0), failed: z.number().int().min(0) }),
  failed: z.array(z.object({ row: z.number().int(), name: z.string(), reason: z.string() })),
});
export type Batch = z.infer<typeof BatchSchema>;

export const AuditHeadSchema = z.object({ seq: z.number().int().min(0), hash: z.string() });

export const DocumentDataSchema = z.object({
  identities: z.array(IdentitySchema),
  peers: z.array(PeerSchema),
  pinSets: z.array(PinSetSchema),
  backupKeys: z.array(BackupKeySchema),
  devices: DeviceListSchema.optional().transform((v) => v ?? []),
  batches: z.array(BatchSchema).default([]),
  /** The last audit entry written with this document: a truncated log is found against it. */
  auditHead: AuditHeadSchema,
});
export type DocumentData = z.infer<typeof DocumentDataSchema>;

export { emptyDocument } from './empty-document.js';
