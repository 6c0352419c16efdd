// The peers area: other parties' public keys. A key file comes in either through a file dialog
// of the main process (the app) or as uploaded bytes (the browser bridge, bounded below); both end
// in the same core import. A QR code is decoded in the page (image or camera) and arrives as text.
import { z } from 'zod';
import { defineChannels } from './spec.js';

/** An uploaded key file or CSV inventory: at most this many bytes. */
export const MAX_PEER_UPLOAD_BYTES = 640 * 1024;
const MAX_BASE64 = Math.ceil(MAX_PEER_UPLOAD_BYTES / 3) * 4;

export const VERIFICATION_STATES = ['unverified', 'verified', 'mismatch'] as const;

const Ref = z.string().trim().min(1, 'give a peer id or name').max(200);
const Confirmed = z.literal(true, { error: 'this needs an explicit confirmation (confirm: true)' });
const OptionalName = z.string().trim().min(1).max(128).optional();

export const PeerSchema = z.object({
  id: z.string(),
  name: z.string(),
  publicKey: z.string().length(40),
  safetyCode: z.string(),
  endpoints: z.array(z.string()),
  tags: z.array(z.string()),
  allowed: z.boolean(),
  createdAt: z.string(),
  source: z.string().nullable(),
  verification: z.object({ state: z.enum(VERIFICATION_STATES), at: z.string().nullable(), by: z.string().nullable() }),
  link: z
    .object({ lastVerdict: z.string().optional(), lastAt: z.string().optional(), lastSuccessAt: z.string().optional(), lastEndpoint: z.string().optional() })
    .nullable(),
});

/** Another peer or an own identity holding the same public key. */
export const SameKeyHolderSchema = z.object({ kind: z.enum(['peer', 'identity']), id: z.string(), name: z.string() });

/** A peer's detail: with whoever else holds its key (a duplicate-key warning when not empty). */
export const PeerDetailSchema = PeerSchema.extend({ sameKeyAs: z.array(SameKeyHolderSchema) });

export const DuplicateKeyWarningSchema = z.object({ peer: z.object({ id: z.string(), name: z.string() }), sameKeyAs: z.array(SameKeyHolderSchema) });

/** One row of the Peers list: what a row shows (the detail comes from peers.show). */
export const PeerRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  safetyCode: z.string(),
  allowed: z.boolean(),
  verification: z.enum(VERIFICATION_STATES),
  lastVerdict: z.string().nullable(),
  tags: z.array(z.string()),
  /** Another peer or an own identity holds this key too. */
  sameKey: z.boolean(),
});

/** At most this many rows per peers.list page. */
export const MAX_PEER_PAGE = 20_000;

export const ImportedPeersSchema = z.object({
  /** The user closed the file dialog: nothing was read. */
  cancelled: z.boolean(),
  added: z.array(PeerSchema),
  /** Already present with the same name and key. */
  unchanged: z.array(PeerSchema),
  /** Added peers whose key another peer or an own identity holds too. */
  duplicates: z.array(DuplicateKeyWarningSchema),
});

const KeyText = z.string().trim().min(1, 'give the new public key').max(4000);

const ImportOptions = {
  /** A name for a single key whose file names none. */
  name: OptionalName,
  allowed: z.boolean().optional(),
};

export const peersChannels = defineChannels({
  /** Lean rows, sorted by name, filtered and paged. */
  'peers.list': {
    args: z.strictObject({
      text: z.string().trim().max(200).optional(),
      tag: z.string().trim().min(1).max(64).optional(),
      allowed: z.boolean().optional(),
      verification: z.enum(VERIFICATION_STATES).optional(),
      /** A verdict, `never` (never tested) or `failing` (any verdict but ok). */
      verdict: z.string().trim().min(1).max(40).optional(),
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(MAX_PEER_PAGE).optional(),
    }),
    result: z.object({ total: z.number().int(), offset: z.number().int(), rows: z.array(PeerRowSchema), tags: z.array(z.string()) }),
  },
  'peers.show': {
    args: z.strictObject({ ref: Ref }),
    result: PeerDetailSchema,
  },
  /** The safety codes of a peer's current key and of an offered new one, and who else holds each; changes nothing. */
  'peers.keyPreview': {
    args: z.strictObject({ ref: Ref, key: KeyText }),
    result: z.object({
      publicKey: z.string().length(40),
      safetyCode: z.string(),
      sameKeyAs: z.array(SameKeyHolderSchema),
      current: z.object({ publicKey: z.string().length(40), safetyCode: z.string(), sameKeyAs: z.array(SameKeyHolderSchema) }),
    }),
  },
  /** Replaces a peer's key after the user compared both safety codes; the peer is unverified again. */
  'peers.replaceKey': {
    args: z.strictObject({ ref: Ref, key: KeyText, confirm: Confirmed }),
    result: z.object({ peer: PeerDetailSchema, previous: z.object({ publicKey: z.string().length(40), safetyCode: z.string() }) }),
  },
  'peers.add': {
    args: z.strictObject({
      name: z.string().trim().min(1).max(128),
      publicKey: z.string().trim().min(1).max(200),
      endpoints: z.array(z.string().trim().min(1).max(500)).max(32).optional(),
      tags: z.array(z.string().trim().min(1).max(64)).max(64).optional(),
      allowed: z.boolean().optional(),
    }),
    result: PeerDetailSchema,
  },
  /** The app: the main process asks for the file with its own dialog. */
  'peers.importDialog': {
    args: z.strictObject(ImportOptions),
    result: ImportedPeersSchema,
  },
  /** The browser bridge: the page hands over the bytes of the file the user picked. */
  'peers.importUpload': {
    args: z.strictObject({
      fileName: z.string().trim().min(1).max(255),
      contentBase64: z.string().max(MAX_BASE64, `a key file is at most ${MAX_PEER_UPLOAD_BYTES} bytes`).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
      ...ImportOptions,
    }),
    result: ImportedPeersSchema,
  },
  /** The text of a QR code the page decoded (from an image or the camera). */
  'peers.importQrText': {
    args: z.strictObject({ text: z.string().min(1).max(4000), source: z.string().trim().max(255).optional(), ...ImportOptions }),
    result: ImportedPeersSchema,
  },
  'peers.verify': {
    args: z.strictObject({ ref: Ref, code: z.string().max(100), by: z.string().trim().max(128).optional() }),
    result: z.object({ peer: PeerSchema, match: z.boolean(), expected: z.string() }),
  },
  'peers.setAllowed': {
    args: z.strictObject({ ref: Ref, allowed: z.boolean() }),
    result: PeerSchema,
  },
  'peers.remove': {
    args: z.strictObject({ ref: Ref, confirm: Confirmed }),
    result: PeerSchema,
  },
});
