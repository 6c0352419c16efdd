// Handing an own identity out from the app: its QR code (made from the public payload of
// ARCHITECTURE.md section 4, never from a secret), public files saved where the main process
// decides, and a secret export that needs an explicit confirmation and answers with paths only.
import { z } from 'zod';
import { defineChannels } from './spec.js';

import { EXPORT_FORMATS, SECRET_EXPORT_FORMATS } from '../../common/formats.js';

const Ref = z.string().trim().min(1, 'give an identity id or name').max(200);
const Confirmed = z.literal(true, { error: 'a secret export needs an explicit confirmation (confirm: true)' });

/** Where a save went; `cancelled` when the user closed the save dialog. */
export const SavedFilesSchema = z.object({
  cancelled: z.boolean(),
  files: z.array(z.string()),
  secretIncluded: z.boolean(),
});

export const keyExportChannels = defineChannels({
  'keys.qr': {
    args: z.strictObject({ ref: Ref }),
    result: z.object({
      /** The text the QR code holds: the public zcert body (metadata + curve). */
      payload: z.string(),
      /** The QR code as an SVG document, for an <img> (no script can run in it there). */
      svg: z.string(),
    }),
  },
  'keys.savePublic': {
    args: z.strictObject({ ref: Ref, format: z.enum(EXPORT_FORMATS) }),
    result: SavedFilesSchema,
  },
  'keys.saveSecret': {
    args: z.strictObject({ ref: Ref, format: z.enum(SECRET_EXPORT_FORMATS), confirm: Confirmed }),
    result: SavedFilesSchema,
  },
});
