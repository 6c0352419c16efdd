// Handlers of the keys area: thin calls into the identity service with the caller's workspace.
import { deleteIdentity, generateIdentity, listIdentities, showIdentity } from '../../core/identities/identities.js';
import { listKeyRows } from '../../core/usecases/key-rows.js';
import type { keysChannels } from '../channels/keys.js';
import type { AreaHandlers } from './context.js';

export const keysHandlers: AreaHandlers<typeof keysChannels> = {
  'keys.list': async (_args, context) => ({ identities: await listIdentities(context.workspace()) }),

  'keys.rows': (args, context) => listKeyRows(context.workspace(), { offset: args.offset ?? 0, limit: args.limit ?? null }),

  'keys.show': (args, context) => showIdentity(context.workspace(), args.ref),

  'keys.generate': (args, context) =>
    generateIdentity(context.workspace(), {
      name: args.name,
      ...(args.role ? { role: args.role } : {}),
      ...(args.rotateEveryDays !== undefined ? { rotateEveryDays: args.rotateEveryDays } : {}),
      endpoints: args.endpoints ?? [],
      tags: args.tags ?? [],
    }),

  'keys.delete': (args, context) => deleteIdentity(context.workspace(), args.ref),
};
