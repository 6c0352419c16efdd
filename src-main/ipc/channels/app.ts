// The app area: what the window needs to know about the app and where its data lives.
import { z } from 'zod';
import { defineChannels } from './spec.js';

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** The data folder shared with the CLI (CURVEKEEP_HOME). */
  dataFolder: z.string(),
  /** Where secrets live, e.g. `OS keychain, service "curvekeep"`. */
  keychain: z.string(),
  /** Which door the page came through: the Electron preload or the development bridge. */
  shell: z.enum(['electron', 'bridge']),
  platform: z.string(),
  /** Where the fleet's data lives: the local data folder, or a team workspace and whether it answers now (the page's banner). */
  store: z
    .object({ kind: z.enum(['local', 'workspace']), where: z.string(), login: z.string().nullable(), reachable: z.boolean() })
    .optional(),
});

export const appChannels = defineChannels({
  'app.info': { args: z.strictObject({}), result: AppInfoSchema },
});
