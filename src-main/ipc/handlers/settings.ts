// Handlers of the settings area.
import { keychainServiceName } from '../../keychain/os-keychain.js';
import { teamStoreOf } from '../../core/workspace.js';
import type { settingsChannels } from '../channels/settings.js';
import type { AreaHandlers } from './context.js';

export const settingsHandlers: AreaHandlers<typeof settingsChannels> = {
  'settings.show': async (_args, context) => {
    const ws = context.workspace();
    const team = teamStoreOf(ws);
    const local = ws.store as { file?: string; auditFile?: string };
    return {
      version: context.appVersion,
      shell: context.shell,
      platform: process.platform,
      dataFolder: ws.home,
      storeFile: team ? `team workspace ${team.where}` : local.file!,
      auditFile: team ? `team workspace ${team.where} (audit table)` : local.auditFile!,
      keychainService: keychainServiceName(),
      keychain: ws.secrets.description,
    };
  },
};
