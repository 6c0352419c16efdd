// The DocumentStore port: where the fleet's public data and its audit log live. Two adapters:
// the local sealed document (core/store/metadata-store.ts, one person) and the PostgreSQL team
// workspace (core/team/pg-store.ts). Every use case reads and changes the fleet through this port
// only; operations that exist for one adapter alone (reseal, recover, doctor's lock and journal
// checks) stay on that adapter and are reached through `localStoreOf` (core/workspace.ts).
import type { AuditEntry, AuditEvent, AuditVerdict } from '../store/audit-log.js';
import type { DocumentData } from '../store/document.js';

export interface Snapshot {
  readonly revision: number;
  readonly data: Readonly<DocumentData>;
}

/** What a change may do besides editing the document: record audit events, delete keychain items. */
export interface Transaction {
  readonly data: DocumentData;
  readonly now: Date;
  audit(event: AuditEvent): void;
  /**
   * Deletes a keychain item once the change is committed (a kill after the commit: the next
   * command deletes it). Resolves to whether the item was there.
   */
  deleteSecret(account: string): Promise<boolean>;
}

/** One entry of the audit log as either adapter returns it (`actor`: who, in a team workspace). */
export type StoredAuditEntry = Omit<AuditEntry, 'mac'> & { readonly actor?: string };

export type StoreKind = 'local' | 'workspace';

export interface DocumentStore {
  readonly kind: StoreKind;
  /** The current document. */
  read(): Promise<Snapshot>;
  /**
   * Lets `change` edit a copy of the document and writes it back with the audit events it
   * recorded, as one change. When `change` throws (or the write is refused), nothing is written.
   */
  update<T>(change: (tx: Transaction) => T | Promise<T>): Promise<T>;
  auditEntries(): Promise<ReadonlyArray<StoredAuditEntry>>;
  /** Checks the audit chain; `read`: the document the caller just read (no second load). */
  verifyAudit(read?: Readonly<Pick<DocumentData, 'auditHead'>>): Promise<AuditVerdict>;
}
