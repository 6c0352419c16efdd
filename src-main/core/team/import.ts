// `workspace import`: a local data folder's public data and its history into a team workspace,
// as one change (one transaction). Secrets stay where they are: in this machine's keychain,
// under the same accounts (identity:ID:GEN, pin-backup:HOST:ID), so the imported identities keep
// working here. The local audit log is carried over entry by entry, each re-signed by the member
// who imports it and marked with its original sequence number and time.
import type { Workspace } from '../workspace.js';
import { cloneData } from '../store/clone-data.js';
import { WorkspaceNotEmptyError } from './store-errors.js';

export interface ImportResult {
  readonly identities: number;
  readonly peers: number;
  readonly devices: number;
  readonly batches: number;
  readonly pinSets: number;
  readonly backupKeys: number;
  readonly auditEntries: number;
  /** Rows already in the workspace (same id or host), left as they are (only with intoNonEmpty). */
  readonly skipped: number;
}

export async function importIntoWorkspace(local: Workspace, team: Workspace, options: { readonly intoNonEmpty?: boolean } = {}): Promise<ImportResult> {
  if (local.store.kind !== 'local' || team.store.kind !== 'workspace') throw new Error('import goes from a local data folder into a team workspace');
  const source = (await local.store.read()).data;
  const history = await local.store.auditEntries();
  return team.store.update((tx) => {
    const d = tx.data;
    const held = d.identities.length + d.peers.length + d.devices.length + d.batches.length + d.pinSets.length + d.backupKeys.length;
    if (held > 0 && !options.intoNonEmpty) {
      throw new WorkspaceNotEmptyError(
        `the workspace already holds ${d.identities.length} keys, ${d.peers.length} peers and ${d.devices.length} devices; nothing was imported. ` +
          'To add this folder\'s data to it anyway, import into a non-empty workspace explicitly',
      );
    }
    let skipped = 0;
    const add = <T>(into: T[], from: ReadonlyArray<T>, key: (x: T) => string): number => {
      const there = new Set(into.map(key));
      let n = 0;
      for (const x of from) {
        if (there.has(key(x))) {
          skipped += 1;
          continue;
        }
        into.push(cloneData(x));
        n += 1;
      }
      return n;
    };
    const counts = {
      identities: add(d.identities, source.identities, (x) => x.id),
      peers: add(d.peers, source.peers, (x) => x.id),
      devices: add(d.devices, source.devices, (x) => x.id),
      batches: add(d.batches, source.batches, (x) => x.id),
      pinSets: add(d.pinSets, source.pinSets, (x) => x.host),
      backupKeys: add(d.backupKeys, source.backupKeys, (x) => x.id),
    };
    for (const e of history) {
      tx.audit({ action: e.action, subject: e.subject, details: { ...(e.details ?? {}), importedSeq: e.seq, importedAt: e.at } });
    }
    tx.audit({ action: 'workspace.imported', subject: local.home, details: { ...counts, auditEntries: history.length, skipped } });
    return { ...counts, auditEntries: history.length, skipped };
  });
}
