// Handlers of the app area.
import { teamStoreOf } from '../../core/workspace.js';
import type { appChannels } from '../channels/app.js';
import type { AreaHandlers } from './context.js';

export const appHandlers: AreaHandlers<typeof appChannels> = {
  'app.info': async (_args, context) => {
    const ws = context.workspace();
    const team = teamStoreOf(ws);
    const store = team
      ? { kind: 'workspace' as const, where: team.where, reachable: await team.ping(), login: team.login }
      : { kind: 'local' as const, where: ws.home, login: null, reachable: true };
    return {
      store,
      name: 'Curvekeep',
      version: context.appVersion,
      dataFolder: ws.home,
      keychain: ws.secrets.description,
      shell: context.shell,
      platform: process.platform,
    };
  },
};
