// The status area: the overview the app opens first (the same report `curvekeep status --json`
// prints): items with a kind, a severity, the subject, the facts and the next action as data, which
// the page words as a button or a sentence. Names, ids, dates and public facts only; no secret.
import { z } from 'zod';
import { ROTATION_ACTIONS } from '../../common/rotation.js';
import { defineChannels } from './spec.js';

const SEVERITIES = ['error', 'warning', 'info'] as const;
const KINDS = [
  'key-overdue', 'key-due', 'rotation-in-progress', 'peer-unverified', 'peer-mismatch', 'peer-test-failed',
  'pin-set-expired', 'pin-set-expiring', 'pin-set-no-backup', 'batch-failed-rows', 'doctor',
] as const;

export const StatusNextSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('rotate'), identity: z.string() }),
  z.object({ action: z.literal('rotation-step'), identity: z.string(), step: z.enum(ROTATION_ACTIONS), after: z.string().optional() }),
  z.object({ action: z.literal('verify-peer'), peer: z.string() }),
  z.object({ action: z.literal('test-peer'), peer: z.string() }),
  z.object({ action: z.literal('renew-pin-set'), host: z.string() }),
  z.object({ action: z.literal('add-backup-pin'), host: z.string() }),
  z.object({ action: z.literal('retry-batch'), batch: z.string() }),
  z.object({ action: z.literal('repair-store') }),
  z.object({ action: z.literal('see-doctor') }),
]);

export const StatusItemSchema = z.object({
  kind: z.enum(KINDS),
  severity: z.enum(SEVERITIES),
  subject: z.record(z.string(), z.string()),
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  next: StatusNextSchema.nullable(),
});

export const StatusReportSchema = z.object({
  now: z.string(),
  items: z.array(StatusItemSchema),
  counts: z.object({ keys: z.number().int(), peers: z.number().int(), devices: z.number().int(), batches: z.number().int(), pinSets: z.number().int() }),
  summary: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
  storeRead: z.boolean(),
});

export const statusChannels = defineChannels({
  'status.get': {
    args: z.strictObject({}),
    result: StatusReportSchema,
  },
});
