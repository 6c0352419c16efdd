// The changes area: the page's live refresh. `changes.wait` is a long poll: it answers with the
// store's revision as soon as it differs from `since` (null: at once), or with `since` when the
// timeout passes. Plain request/answer, so it works the same over Electron IPC and the bridge.
import { z } from 'zod';
import { defineChannels } from './spec.js';

/** A wait lasts at most this long; the page then asks again. */
export const MAX_CHANGES_WAIT_MS = 25_000;

export const changesChannels = defineChannels({
  'changes.wait': {
    args: z.strictObject({
      since: z.number().int().min(0).nullable(),
      timeoutMs: z.number().int().min(0).max(MAX_CHANGES_WAIT_MS),
    }),
    result: z.object({ revision: z.number().int().min(0) }),
  },
});
