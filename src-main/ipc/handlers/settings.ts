// Handlers of the settings area.
import { keychainServiceName } from '../../keychain/os-keychain.js';
import { localStoreOf, saveStoreSetting, storeUrlFor, teamStoreOf } from '../../core/workspace.js';
import type { settingsChannels } from '../channels/settings.js';
import type { AreaHandlers } from './context.js';

/** A store URL as it may be shown: without a password. */
async function redacted(url: string | null): Promise<string | null> {
  return url ? (await import('../../core/team/connection.js')).redactStoreUrl(url) : null;
}

export const settingsHandlers: AreaHandlers<typeof settingsChannels> = {
  'settings.show': async (_args, context) => {
    const ws = context.workspace();
    const team = teamStoreOf(ws);
    const local = team ? null : localStoreOf(ws, 'settings');
    return {
      version: context.appVersion,
      shell: context.shell,
      platform: process.platform,
      dataFolder: ws.home,
      storeFile: local ? local.file : `team workspace ${team!.where}`,
      auditFile: local ? local.auditFile : `team workspace ${team!.where} (audit table)`,
      keychainService: keychainServiceName(),
      keychain: ws.secrets.description,
      workspaceStore: await redacted(storeUrlFor(ws.home)),
    };
  },
  'settings.setStore': async (args, context) => {
    const ws = context.workspace();
    const saved = await saveStoreSetting(ws.home, ws.secrets, args.store || null, args.password);
    return { store: saved.store, appliesAtNextStart: true };
  },
};
