// Handlers of the settings area.
import { keychainServiceName } from '../../keychain/os-keychain.js';
import type { settingsChannels } from '../channels/settings.js';
import type { AreaHandlers } from './context.js';

export const settingsHandlers: AreaHandlers<typeof settingsChannels> = {
  'settings.show': async (_args, context) => {
    const ws = context.workspace();
    return {
      version: context.appVersion,
      shell: context.shell,
      platform: process.platform,
      dataFolder: ws.home,
      storeFile: ws.store.file,
      auditFile: ws.store.auditFile,
      keychainService: keychainServiceName(),
      keychain: ws.secrets.description,
    };
  },
};
