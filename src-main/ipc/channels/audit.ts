// The audit area: the hash-chained log of key events (names, ids, public keys; never secrets)
// and its verification.
import { z } from 'zod';
import { defineChannels } from './spec.js';

export const MAX_AUDIT_ENTRIES = 5000;

export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  action: z.string(),
  subject: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
});

export const auditChannels = defineChannels({
  'audit.list': {
    /** The newest `limit` entries, newest first. */
    args: z.strictObject({ limit: z.number().int().min(1).max(MAX_AUDIT_ENTRIES).optional() }),
    result: z.object({ entries: z.array(AuditEntrySchema), total: z.number().int() }),
  },
  'audit.verify': {
    args: z.strictObject({}),
    result: z.object({
      ok: z.boolean(),
      entries: z.number().int(),
      /** The first broken entry (1-based position in the log) and why. */
      broken: z.object({ position: z.number().int(), seq: z.number().int().nullable(), reason: z.string() }).nullable(),
    }),
  },
});
