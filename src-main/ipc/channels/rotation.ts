// The rotation area: the staged rotation of ARCHITECTURE.md section 5 (stage, distribute, test,
// promote, finish, rollback) and the schedule the timeline chart draws. Results carry public keys,
// states and dates; the pending key's secret stays in the keychain.
import { z } from 'zod';
import { ChosenFolderSchema, FolderHandleSchema } from './folder.js';
import { IdentitySchema, KEY_STATE_NAMES, ROLE_NAMES } from './keys.js';
import { LINK_SOCKET_TYPES, LinkResultSchema } from './links.js';
import { defineChannels } from './spec.js';
import { DUE_STATES, MAX_GRACE_DAYS, ROLLBACK_UNDONE, ROTATION_ACTIONS, ROTATION_STAGES } from '../../common/rotation.js';

export { ROTATION_STAGES } from '../../common/rotation.js';

const Ref = z.string().trim().min(1, 'give an identity id or name').max(200);

/** A next step as data (common/rotation.ts RotationNextStep); the page words it as a button or a sentence. */
export const RotationNextStepSchema = z.object({
  action: z.enum(ROTATION_ACTIONS),
  identity: z.string(),
  force: z.boolean().optional(),
  after: z.string().optional(),
  generation: z.number().int().optional(),
});

export const RotationStatusSchema = z.object({
  identity: IdentitySchema,
  stage: z.enum(ROTATION_STAGES),
  /** The steps that take the rotation on, the usual one first. */
  next: z.array(RotationNextStepSchema),
});

/** One identity's key against its policy: the same item `curvekeep schedule --json` prints. */
export const ScheduleItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLE_NAMES),
  generation: z.number().int(),
  publicKey: z.string().length(40),
  ageDays: z.number(),
  rotateEveryDays: z.number().int().nullable(),
  dueAt: z.string().nullable(),
  due: z.enum(DUE_STATES),
  /** Past its due date now. */
  overdue: z.boolean(),
  /** Whole days until due; negative when overdue; null without a policy. */
  daysLeft: z.number().int().nullable(),
  stage: z.enum(ROTATION_STAGES),
  graceUntil: z.string().nullable(),
});

export const RotationTargetSchema = z.object({
  kind: z.enum(['peer', 'identity', 'endpoint']),
  id: z.string().nullable(),
  name: z.string(),
  endpoint: z.string(),
  remembered: z.boolean(),
  lastVerdict: z.string().nullable(),
  lastAt: z.string().nullable(),
});

/** A schedule item with a due date (`curvekeep rotate --due --json` prints the same list). */
export const DueItemSchema = ScheduleItemSchema.extend({ dueAt: z.string(), daysLeft: z.number().int() });

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
        /** Server keys: the own client identity to connect as (default: the only usable one). */
        as: Ref.optional(),
        /** Server keys: connect with a one-time client key. */
        oneTimeKey: z.boolean().optional(),
      })
      // A client or device key names its server (peer or serverKey); a server key names neither:
      // the use case tests its pending key at the endpoint (or the identity's first TCP endpoint).
      .refine((a) => a.serverKey === undefined || a.peer === undefined, { message: "give at most one of serverKey or peer (the server's key)" }),
    result: RotationStatusSchema.extend({ result: LinkResultSchema }),
  },
  'rotation.promote': {
    args: z.strictObject({
      ref: Ref,
      /** Promote without a passing test; logged as forced. */
      force: z.boolean().optional(),
      graceDays: z.number().int().min(0).max(MAX_GRACE_DAYS).optional(),
    }),
    result: RotationStatusSchema,
  },
  'rotation.finish': {
    args: z.strictObject({ ref: Ref, force: z.boolean().optional() }),
    result: RotationStatusSchema.extend({ retiredGeneration: z.number().int(), secretDeleted: z.boolean() }),
  },
  'rotation.rollback': {
    args: z.strictObject({ ref: Ref }),
    result: RotationStatusSchema.extend({ undone: z.enum(ROLLBACK_UNDONE), revokedGeneration: z.number().int(), secretDeleted: z.boolean() }),
  },
  /**
   * Revokes one key generation (a leaked key): its secret is deleted and peers can no longer use it.
   * The current key only with `force` (it leaves the identity without a usable key).
   */
  'rotation.revoke': {
    args: z.strictObject({ ref: Ref, generation: z.number().int().min(1), force: z.boolean().optional() }),
    result: RotationStatusSchema.extend({ revokedGeneration: z.number().int(), secretDeleted: z.boolean() }),
  },
  /**
   * The servers a rotation is tested against (for a server key: the endpoints serving its pending
   * key), derived from the store: past tests of the identity's keys, its endpoints, stored peers
   * and own servers there. `remembered` ones are tested without being asked.
   */
  'rotation.targets': {
    args: z.strictObject({ ref: Ref }),
    result: z.object({
      role: z.enum(ROLE_NAMES),
      targets: z.array(RotationTargetSchema),
      clients: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  },
  /**
   * Tests the pending key at every target in turn; when any fails, that failure is what stays
   * recorded, so promotion is offered only when every server passed.
   */
  'rotation.testAll': {
    args: z.strictObject({
      ref: Ref,
      targets: z
        .array(z.strictObject({ server: Ref.optional(), endpoint: z.string().trim().min(3).max(300).optional() }))
        .min(1, 'choose at least one server to test the pending key against')
        .max(64),
      socketType: z.enum(LINK_SOCKET_TYPES).optional(),
      timeoutMs: z.number().int().min(100).max(60_000).optional(),
      as: Ref.optional(),
      oneTimeKey: z.boolean().optional(),
    }),
    result: RotationStatusSchema.extend({
      tests: z.array(
        z.object({
          target: z.object({ server: z.string().optional(), endpoint: z.string().optional() }),
          result: LinkResultSchema.nullable(),
          error: z.object({ code: z.string(), message: z.string() }).nullable(),
        }),
      ),
      passed: z.boolean(),
    }),
  },
  /** Writes the due dates as an iCalendar file into a chosen folder (asked for now without a handle). */
  'rotation.calendar': {
    args: z.strictObject({ folder: FolderHandleSchema.optional() }),
    result: z.object({ file: z.string(), fileName: z.string(), events: z.number().int() }),
  },
  /** Every identity's key age against its policy, for the timeline chart (as `curvekeep schedule`). */
  'rotation.schedule': {
    args: z.strictObject({}),
    result: z.object({ now: z.string(), items: z.array(ScheduleItemSchema) }),
  },
  /** The keys due by a date (YYYY-MM-DD or an ISO time; default: within DUE_SOON_DAYS), as `curvekeep rotate --due`. */
  'rotation.due': {
    args: z.strictObject({ at: z.string().trim().min(1).max(40).optional() }),
    result: z.object({ now: z.string(), by: z.string(), items: z.array(DueItemSchema), overdue: z.number().int() }),
  },
});
