// The keys area: own identities. Results carry public material, state and due dates only; a
// secret export names the file the main process wrote, never the secret.
import { z } from 'zod';
import { defineChannels } from './spec.js';

// Spelled out here rather than imported from core, so that the renderer can import the contract
// without pulling core modules; the handlers' types fail to compile if the two ever differ.
export { ROLES as ROLE_NAMES } from '../../common/roles.js';
import { ROLES as ROLE_NAMES } from '../../common/roles.js';
export { KEY_STATES as KEY_STATE_NAMES, DUE_STATES } from '../../common/rotation.js';
import { KEY_STATES as KEY_STATE_NAMES, DUE_STATES } from '../../common/rotation.js';

/** An identity id or its unique name, as the CLI's REF. */
const Ref = z.string().trim().min(1, 'give an identity id or name').max(200);

/** `confirm: true` and nothing else: a secret export or a deletion is never implied. */
const Confirmed = z.literal(true, { error: 'this needs an explicit confirmation (confirm: true)' });

export const LinkTestSchema = z.object({
  endpoint: z.string(),
  verdict: z.string(),
  at: z.string(),
  handshakeMs: z.number().optional(),
  forced: z.boolean().optional(),
});

export const KeyGenerationSchema = z.object({
  generation: z.number().int(),
  state: z.enum(KEY_STATE_NAMES),
  publicKey: z.string().length(40),
  safetyCode: z.string(),
  createdAt: z.string(),
  promotedAt: z.string().nullable(),
  graceUntil: z.string().nullable(),
  lastTest: LinkTestSchema.nullable(),
});

export const IdentitySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLE_NAMES),
  tags: z.array(z.string()),
  endpoints: z.array(z.string()),
  createdAt: z.string(),
  publicKey: z.string().length(40),
  safetyCode: z.string(),
  state: z.enum(KEY_STATE_NAMES),
  generation: z.number().int(),
  ageDays: z.number(),
  rotateEveryDays: z.number().int().nullable(),
  dueAt: z.string().nullable(),
  due: z.enum(DUE_STATES),
  pending: KeyGenerationSchema.nullable(),
  generations: z.array(KeyGenerationSchema),
});

/** At most this many rows per keys.rows page. */
export const MAX_KEY_ROWS_PAGE = 20_000;

/** One row of the Keys list: what a row shows (the detail comes from keys.show on selection). */
export const KeyRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLE_NAMES),
  tags: z.array(z.string()),
  publicKey: z.string().length(40),
  state: z.enum(KEY_STATE_NAMES),
  rotating: z.boolean(),
  ageDays: z.number(),
  dueAt: z.string().nullable(),
  due: z.enum(DUE_STATES),
});

export const keysChannels = defineChannels({
  /** Lean rows in pages: the Keys view asks for a screenful first, then the rest. */
  'keys.rows': {
    args: z.strictObject({ offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(MAX_KEY_ROWS_PAGE).optional() }),
    result: z.object({ total: z.number().int(), offset: z.number().int(), rows: z.array(KeyRowSchema) }),
  },
  'keys.list': {
    args: z.strictObject({}),
    result: z.object({ identities: z.array(IdentitySchema) }),
  },
  'keys.show': {
    args: z.strictObject({ ref: Ref }),
    result: IdentitySchema,
  },
  'keys.generate': {
    args: z.strictObject({
      name: z.string().min(1).max(128),
      role: z.enum(ROLE_NAMES).optional(),
      /** Days between rotations; null: never due; absent: the role's default. */
      rotateEveryDays: z.number().int().min(1).max(3650).nullable().optional(),
      endpoints: z.array(z.string().max(500)).max(32).optional(),
      tags: z.array(z.string().max(64)).max(64).optional(),
    }),
    result: IdentitySchema,
  },
  'keys.delete': {
    args: z.strictObject({ ref: Ref, confirm: Confirmed }),
    result: z.object({ id: z.string(), name: z.string(), secretsRemoved: z.number().int() }),
  },
});
