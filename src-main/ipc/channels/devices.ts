// The devices area: devices provisioned for our servers (not peers). The list is lean and paged:
// a fleet has 100,000 devices, and the page shows a screenful at a time.
import { z } from 'zod';
import { FolderHandleSchema } from './folder.js';
import { defineChannels } from './spec.js';

export const DEVICE_STATES = ['active', 'removed'] as const;

/** At most this many rows per page. */
export const MAX_DEVICE_PAGE = 1000;

export const DeviceRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  server: z.string(),
  serverName: z.string(),
  batch: z.string().nullable(),
  state: z.enum(DEVICE_STATES),
  tags: z.array(z.string()),
  shortKey: z.string(),
  reissuing: z.boolean(),
});

export const DeviceDetailSchema = z.object({
  id: z.string(),
  name: z.string(),
  publicKey: z.string().length(40),
  safetyCode: z.string(),
  server: z.string(),
  serverName: z.string(),
  batch: z.string().nullable(),
  bundleDir: z.string().nullable(),
  tags: z.array(z.string()),
  state: z.enum(DEVICE_STATES),
  createdAt: z.string(),
  removedAt: z.string().nullable(),
  keptSecret: z.boolean(),
  previousPublicKey: z.string().nullable(),
  batchInfo: z
    .object({
      id: z.string(),
      createdAt: z.string(),
      csvName: z.string(),
      outDir: z.string(),
      counts: z.object({ rows: z.number().int(), ok: z.number().int(), skipped: z.number().int(), failed: z.number().int() }),
    })
    .nullable(),
});

const Filter = z.string().trim().min(1).max(200).optional();

export const devicesChannels = defineChannels({
  'devices.list': {
    args: z.strictObject({
      server: Filter,
      batch: Filter,
      tag: Filter,
      text: Filter,
      includeRemoved: z.boolean().optional(),
      state: z.enum(DEVICE_STATES).optional(),
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(MAX_DEVICE_PAGE).optional(),
    }),
    result: z.object({ total: z.number().int(), offset: z.number().int(), devices: z.array(DeviceRowSchema) }),
  },
  /** The servers that have devices (active or removed), by name: the server filter's choices. */
  'devices.servers': {
    args: z.strictObject({}),
    result: z.object({ servers: z.array(z.object({ id: z.string(), name: z.string() })) }),
  },
  'devices.show': {
    args: z.strictObject({ ref: z.string().trim().min(1, 'give a device id or name').max(200) }),
    result: DeviceDetailSchema,
  },
  /** The device's public key as a QR code (an SVG document for an <img>). */
  'devices.qr': {
    args: z.strictObject({ ref: z.string().trim().min(1).max(200) }),
    result: z.object({ payload: z.string(), svg: z.string() }),
  },
  /** The device leaves its server's allowlist at the next write; the page asks first. */
  'devices.remove': {
    args: z.strictObject({ ref: z.string().trim().min(1).max(200), confirm: z.literal(true) }),
    result: DeviceDetailSchema,
  },
  /** The reissue of one device finished: its old key leaves the allowlist at the next write. */
  'devices.finishReissue': {
    args: z.strictObject({ ref: z.string().trim().min(1).max(200) }),
    result: z.object({ devices: z.array(z.object({ id: z.string(), name: z.string() })) }),
  },
  /** A new key pair and bundle for one device, into a chosen folder; the old key stays allowed until finished. */
  'devices.reissue': {
    args: z.strictObject({ ref: z.string().trim().min(1).max(200), outFolder: FolderHandleSchema }),
    result: z.object({ outDir: z.string().nullable(), devices: z.array(z.object({ id: z.string(), name: z.string(), publicKey: z.string() })) }),
  },
});
