// The status area: the overview the app opens first (the same report `curvekeep status --json`
// prints): items with a kind, a severity, the subject, the facts and the next action as data, which
// the page words as a button or a sentence. Names, ids, dates and public facts only; no secret.
import { z } from 'zod';
import { ROTATION_ACTIONS } from '../../common/rotation.js';
import { STATUS_FACT_KEYS, STATUS_KINDS, STATUS_SEVERITIES, STATUS_SUBJECT_KEYS, type StatusFactKey, type StatusSubjectKey } from '../../common/status.js';
import { defineChannels } from './spec.js';

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Closed shapes: every subject and fact name is listed in common/status.ts. */
const SubjectSchema = z.object(Object.fromEntries(STATUS_SUBJECT_KEYS.map((k) => [k, z.string().optional()])) as Record<StatusSubjectKey, z.ZodOptional<z.ZodString>>);
const FactsSchema = z.object({
  ...(Object.fromEntries(STATUS_FACT_KEYS.map((k) => [k, Scalar.optional()])) as Record<StatusFactKey, z.ZodOptional<typeof Scalar>>),
  /** A count, never a secret. */
  secrets: z.number().int().optional(),
  /** The revision whose seal the keychain holds (a number, never the seal). */
  sealedRevision: z.number().int().nullable().optional(),
});

export const StatusNextSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('rotate'), identity: z.string() }),
  z.object({ action: z.literal('rotation-step'), identity: z.string(), step: z.enum(ROTATION_ACTIONS), after: z.string().optional() }),
  z.object({ action: z.literal('verify-peer'), peer: z.string() }),
  z.object({ action: z.literal('test-peer'), peer: z.string() }),
  z.object({ action: z.literal('renew-pin-set'), host: z.string() }),
  z.object({ action: z.literal('add-backup-pin'), host: z.string() }),
  z.object({ action: z.literal('check-pins'), host: z.string(), endpoint: z.string() }),
  z.object({ action: z.literal('retry-batch'), batch: z.string() }),
  z.object({ action: z.literal('repair-store') }),
  z.object({ action: z.literal('see-doctor') }),
]);

export const StatusItemSchema = z.object({
  kind: z.enum(STATUS_KINDS),
  severity: z.enum(STATUS_SEVERITIES),
  subject: SubjectSchema,
  facts: FactsSchema,
  next: StatusNextSchema.nullable(),
});

export const StatusReportSchema = z.object({
  now: z.string(),
  items: z.array(StatusItemSchema),
  counts: z.object({ keys: z.number().int(), peers: z.number().int(), devices: z.number().int(), batches: z.number().int(), pinSets: z.number().int() }),
  summary: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
  storeRead: z.boolean(),
});

/** How many items of each kind (a closed shape: every kind is listed in common/status.ts). */
const ByKindSchema = z.object(Object.fromEntries(STATUS_KINDS.map((k) => [k, z.number().int().optional()])) as Record<(typeof STATUS_KINDS)[number], z.ZodOptional<z.ZodNumber>>);

export const statusChannels = defineChannels({
  /** The report, or only some kinds of it, at most `perKind` items of each; `byKind` counts them all. */
  'status.get': {
    args: z.strictObject({
      kinds: z.array(z.enum(STATUS_KINDS)).max(STATUS_KINDS.length).optional(),
      perKind: z.number().int().min(1).max(1_000_000).optional(),
    }),
    result: StatusReportSchema.extend({ byKind: ByKindSchema }),
  },
  /** Doctor's safe repairs (the Overview's "repair" step, in Settings); the page asks first. */
  'status.repair': {
    args: z.strictObject({ confirm: z.literal(true) }),
    result: z.object({ ok: z.boolean(), repaired: z.number().int(), remaining: z.number().int() }),
  },
});
