// The settings area: where the data and the secrets live, and which build this is. The theme is
// a page preference and stays in the page.
import { z } from 'zod';
import { defineChannels } from './spec.js';

export const settingsChannels = defineChannels({
  'settings.show': {
    args: z.strictObject({}),
    result: z.object({
      version: z.string(),
      shell: z.enum(['electron', 'bridge']),
      platform: z.string(),
      /** The data folder shared with the CLI (CURVEKEEP_HOME). */
      dataFolder: z.string(),
      storeFile: z.string(),
      auditFile: z.string(),
      /** The keychain service name (CURVEKEEP_KEYCHAIN_SERVICE, default `curvekeep`). */
      keychainService: z.string(),
      keychain: z.string(),
      /** The team workspace the app works on (its URL, never a password), or null for the data folder. */
      workspaceStore: z.string().nullable().optional(),
    }),
  },
  /** The team workspace to open from the next start (null: the local data folder); a password goes to the keychain. */
  'settings.setStore': {
    args: z.strictObject({ store: z.string().trim().max(2000).nullable(), password: z.string().min(1).max(1000).optional() }),
    result: z.object({ store: z.string().nullable(), appliesAtNextStart: z.literal(true) }),
  },
});
