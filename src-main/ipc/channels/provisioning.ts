// The provisioning area: a CSV of devices (uploaded bytes) -> device bundles, a server allowlist,
// manifest.json and results.csv in an output folder, run as a job (see job.ts) with per-row
// results. Device secrets go into the bundles on disk; no result carries one.
import { z } from 'zod';
import { ChosenFolderSchema, FolderHandleSchema } from './folder.js';
import { JobCancelArgs, JobCancelledSchema, JobStartedSchema, JobProgressArgs, jobProgressSchema } from './job.js';
import { defineChannels } from './spec.js';

/** An uploaded CSV: at most this many bytes (the bridge carries at most 1 MiB of arguments). */
export const MAX_DEVICE_CSV_BYTES = 512 * 1024;
const MAX_BASE64 = Math.ceil(MAX_DEVICE_CSV_BYTES / 3) * 4;

export const ROW_STATUSES = ['ok', 'skipped', 'failed'] as const;

export const ProvisionRowSchema = z.object({
  /** The line of the CSV (the header is line 1). */
  row: z.number().int(),
  name: z.string(),
  status: z.enum(ROW_STATUSES),
  /** Why a row failed or was skipped; empty for ok. */
  reason: z.string(),
  publicKey: z.string().nullable(),
});

export const ProvisionSummarySchema = z.object({
  outDir: z.string(),
  server: z.object({ name: z.string(), publicKey: z.string() }),
  total: z.number().int(),
  ok: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  manifest: z.string(),
  results: z.string(),
  allowlist: z.string(),
  devicesAdded: z.number().int(),
  batch: z.string().nullable(),
  secretsKept: z.number().int(),
});

/** What a run would do with a row (the dry run): make a device, skip it (it exists), or fail it. */
export const PreviewRowSchema = z.object({
  row: z.number().int(),
  name: z.string(),
  action: z.enum(['create', 'skip', 'fail']),
  reason: z.string(),
});

export const BatchSummarySchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  csvName: z.string(),
  server: z.string(),
  serverName: z.string(),
  outDir: z.string(),
  counts: z.object({ rows: z.number().int(), ok: z.number().int(), skipped: z.number().int(), failed: z.number().int() }),
  failed: z.array(z.object({ row: z.number().int(), name: z.string(), reason: z.string() })),
  devices: z.number().int(),
});

const Upload = {
  fileName: z.string().trim().min(1).max(255),
  base64: z
    .string()
    .min(1, 'the CSV file is empty')
    .max(MAX_BASE64, `the CSV is larger than ${MAX_DEVICE_CSV_BYTES / 1024} KiB`)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'the file bytes must be base64'),
};

export const provisioningChannels = defineChannels({
  /** The servers devices can be provisioned for: own server identities, then peers. */
  'provisioning.servers': {
    args: z.strictObject({}),
    result: z.object({ servers: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['identity', 'peer']), endpoint: z.string().nullable() })) }),
  },
  /** The dry run of an upload: what each row would do; writes nothing. */
  'provisioning.preview': {
    args: z.strictObject({
      ...Upload,
      server: z.string().trim().min(1, 'choose the server').max(200),
      outFolder: FolderHandleSchema,
      force: z.boolean().optional(),
      endpoint: z.string().trim().max(300).optional(),
    }),
    result: z.object({ total: z.number().int(), create: z.number().int(), skip: z.number().int(), fail: z.number().int(), server: z.object({ name: z.string() }), rows: z.array(PreviewRowSchema) }),
  },
  /** The batches run so far, newest first (the history). */
  'provisioning.batches': {
    args: z.strictObject({}),
    result: z.object({ batches: z.array(BatchSummarySchema) }),
  },
  /** A batch to retry: its server, and its output folder as a handle (a rerun skips the bundles made). */
  'provisioning.batchFolder': {
    args: z.strictObject({ batch: z.string().trim().min(1).max(200) }),
    result: z.object({ batch: BatchSummarySchema, folder: ChosenFolderSchema }),
  },
  /** A folder for the output: a dialog in the app, a fresh folder inside its write root in the bridge. */
  'provisioning.chooseFolder': {
    args: z.strictObject({}),
    result: z.object({ folder: ChosenFolderSchema.nullable() }),
  },
  'provisioning.start': {
    args: z.strictObject({
      fileName: z.string().trim().min(1).max(255),
      base64: z
        .string()
        .min(1, 'the CSV file is empty')
        .max(MAX_BASE64, `the CSV is larger than ${MAX_DEVICE_CSV_BYTES / 1024} KiB; use \`curvekeep provision\` for larger inventories`)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'the file bytes must be base64'),
      /** The server the devices connect to: an own identity or a peer, by id or name. */
      server: z.string().trim().min(1, 'choose the server').max(200),
      /** Where the bundles go: the handle of a folder chosen through provisioning.chooseFolder. */
      outFolder: FolderHandleSchema,
      /** Replace files in the folder that Curvekeep did not write (manifest.json, results.csv, allowlist files). */
      force: z.boolean().optional(),
      /** For rows without an endpoint; default: the server's first endpoint. */
      endpoint: z.string().trim().max(300).optional(),
      keepSecrets: z.boolean().optional(),
    }),
    result: JobStartedSchema,
  },
  'provisioning.progress': {
    args: JobProgressArgs,
    result: jobProgressSchema(ProvisionRowSchema).extend({ summary: ProvisionSummarySchema.nullable() }),
  },
  'provisioning.cancel': { args: JobCancelArgs, result: JobCancelledSchema },
});
