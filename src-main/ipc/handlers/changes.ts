// Handler of the changes area: waits on the workspace's change feed (core/ports/change-feed.ts).
import { MAX_CHANGES_WAIT_MS, type changesChannels } from '../channels/changes.js';
import type { AreaHandlers } from './context.js';

export const changesHandlers: AreaHandlers<typeof changesChannels> = {
  'changes.wait': async (args, context) => ({
    revision: await context.workspace().changes.wait(args.since, Math.min(args.timeoutMs, MAX_CHANGES_WAIT_MS)),
  }),
};
