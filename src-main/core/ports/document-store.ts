// The DocumentStore port: where the fleet's public data and its audit log live. Two adapters:
// the local sealed document (core/store/metadata-store.ts, one person) and the PostgreSQL team
// workspace (core/team/pg-store.ts). Every use case reads and changes the fleet through this port
// only; operations that exist for one adapter alone (reseal, recover, doctor's lock and journal
// checks) stay on that adapter and are reached through `localStoreOf` (core/workspace.ts).
import type { AuditEvent, AuditVerdict } from '../store/audit-log.js';
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
  /** Deletes a keychain item once the change is committed. Resolves to whether the item was there. */
  deleteSecret(account: string): Promise<boolean>;
}

/** One entry of the audit log as either adapter returns it (`actor`: who, in a team workspace). */
export interface StoredAuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly action: string;
  readonly subject: string;
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
  readonly prev: string;
  readonly hash: string;
  readonly actor?: string;
}

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
