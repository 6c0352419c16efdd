// The rotation area: the staged rotation of ARCHITECTURE.md section 5 (stage, distribute, test,
// promote, finish, rollback) and the schedule the timeline chart draws. Results carry public keys,
// states and dates; the pending key's secret stays in the keychain.
import { z } from 'zod';
import { ChosenFolderSchema, FolderHandleSchema } from './folder.js';
import { IdentitySchema, KEY_STATE_NAMES, ROLE_NAMES } from './keys.js';
import { LINK_SOCKET_TYPES, LinkResultSchema } from './links.js';
import { defineChannels } from './spec.js';

export const ROTATION_STAGES = ['idle', 'staged', 'tested', 'promoted', 'grace-over'] as const;

const Ref = z.string().trim().min(1, 'give an identity id or name').max(200);

export const RotationStatusSchema = z.object({
  identity: IdentitySchema,
  stage: z.enum(ROTATION_STAGES),
  /** The next step, for a person (as the CLI prints it). */
  next: z.string(),
});

export const ScheduleItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLE_NAMES),
  generation: z.number().int(),
  ageDays: z.number(),
  rotateEveryDays: z.number().int().nullable(),
  dueAt: z.string().nullable(),
  due: z.enum(['ok', 'due-soon', 'overdue', 'never']),
  /** Whole days until due; negative when overdue; null without a policy. */
  daysLeft: z.number().int().nullable(),
  stage: z.enum(ROTATION_STAGES),
  graceUntil: z.string().nullable(),
});

export const rotationChannels = defineChannels({
  'rotation.status': { args: z.strictObject({ ref: Ref }), result: RotationStatusSchema },
  'rotation.stage': {
    args: z.strictObject({ ref: Ref }),
    result: RotationStatusSchema.extend({ generation: z.number().int(), publicKey: z.string().length(40) }),
  },
  /** A folder to distribute into (e.g. a server's allowlist folder), chosen in the main process. */
  'rotation.chooseFolder': {
    args: z.strictObject({}),
    result: z.object({ folder: ChosenFolderSchema.nullable() }),
  },
  /**
   * Writes the public certificates peers must accept now (current, previous in grace, pending)
   * and a QR of the pending key into a folder: the one chosen (its handle from
   * rotation.chooseFolder), or one the main process asks for now. `force` replaces files there
   * that Curvekeep did not write.
   */
  'rotation.distribute': {
    args: z.strictObject({ ref: Ref, folder: FolderHandleSchema.optional(), flavour: z.enum(['zcert', 'pyzmq']).optional(), force: z.boolean().optional() }),
    result: z.object({
      dir: z.string(),
      /** The folder written, to write into again without asking. */
      folder: ChosenFolderSchema,
      /** Files there that Curvekeep did not write: left as they are. */
      left: z.array(z.string()),
      entries: z.array(z.object({ name: z.string(), publicKey: z.string(), generation: z.number().int(), state: z.enum(KEY_STATE_NAMES) })),
      files: z.array(z.string()),
      removed: z.array(z.string()),
      qrFile: z.string().nullable(),
      /** The pending key's public certificate as an SVG QR code, to show on screen. */
      qrSvg: z.string().nullable(),
    }),
  },
  /** The live test with the pending key; the verdict is recorded and gates promotion. */
  'rotation.test': {
    args: z
      .strictObject({
        ref: Ref,
        endpoint: z.string().trim().min(3).max(300).optional(),
        serverKey: z.string().trim().length(40).optional(),
        peer: Ref.optional(),
        socketType: z.enum(LINK_SOCKET_TYPES).optional(),
        timeoutMs: z.number().int().min(100).max(60_000).optional(),
      })
      .refine((a) => (a.serverKey === undefined) !== (a.peer === undefined), { message: "give exactly one of serverKey or peer (the server's key)" })
      .refine((a) => a.peer !== undefined || a.endpoint !== undefined, { message: 'give the endpoint to test' }),
    result: RotationStatusSchema.extend({ result: LinkResultSchema }),
  },
  'rotation.promote': {
    args: z.strictObject({
      ref: Ref,
      /** Promote without a passing test; logged as forced. */
      force: z.boolean().optional(),
      graceDays: z.number().int().min(0).max(365).optional(),
    }),
    result: RotationStatusSchema,
  },
  'rotation.finish': {
    args: z.strictObject({ ref: Ref, force: z.boolean().optional() }),
    result: RotationStatusSchema.extend({ retiredGeneration: z.number().int(), secretDeleted: z.boolean() }),
  },
  'rotation.rollback': {
    args: z.strictObject({ ref: Ref }),
    result: RotationStatusSchema.extend({ undone: z.enum(['staged', 'promoted']), revokedGeneration: z.number().int(), secretDeleted: z.boolean() }),
  },
  /** Every identity's key age against its policy, for the timeline chart. */
  'rotation.schedule': {
    args: z.strictObject({}),
    result: z.object({ now: z.string(), items: z.array(ScheduleItemSchema) }),
  },
});
