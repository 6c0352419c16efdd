// Handlers of the app area.
import type { appChannels } from '../channels/app.js';
import type { AreaHandlers } from './context.js';

export const appHandlers: AreaHandlers<typeof appChannels> = {
  'app.info': async (_args, context) => {
    const ws = context.workspace();
    return {
      name: 'Curvekeep',
      version: context.appVersion,
      dataFolder: ws.home,
      keychain: ws.secrets.description,
      shell: context.shell,
      platform: process.platform,
    };
  },
};
