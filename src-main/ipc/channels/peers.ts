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

export const ImportedPeersSchema = z.object({
  /** The user closed the file dialog: nothing was read. */
  cancelled: z.boolean(),
  added: z.array(PeerSchema),
  /** Already present with the same name and key. */
  unchanged: z.array(PeerSchema),
});

const ImportOptions = {
  /** A name for a single key whose file names none. */
  name: OptionalName,
  allowed: z.boolean().optional(),
};

export const peersChannels = defineChannels({
  'peers.list': {
    args: z.strictObject({}),
    result: z.object({ peers: z.array(PeerSchema) }),
  },
  'peers.add': {
    args: z.strictObject({
      name: z.string().trim().min(1).max(128),
      publicKey: z.string().trim().min(1).max(200),
      endpoints: z.array(z.string().trim().min(1).max(500)).max(32).optional(),
      tags: z.array(z.string().trim().min(1).max(64)).max(64).optional(),
      allowed: z.boolean().optional(),
    }),
    result: PeerSchema,
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
