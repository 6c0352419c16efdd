// A folder the app writes to, as the page sees it: an opaque handle the main process made when the
// user chose the folder (a dialog in the app; a folder inside the bridge's write root), and the
// path to show. The page sends the handle back, never a path.
import { z } from 'zod';

/** `fh_` and 32 base64url characters: random, per session, meaningless outside it. */
export const FolderHandleSchema = z.string().regex(/^fh_[A-Za-z0-9_-]{32}$/, 'choose the folder first (the app hands out a folder handle; a path is not accepted)');

export const ChosenFolderSchema = z.object({
  handle: FolderHandleSchema,
  /** Where it is, to show; sending it back does nothing. */
  path: z.string(),
});
