// The metadata document on disk: a lock against a second writer, a `.bak` of the last good
// version, a corrupt file refused and never overwritten, an HMAC seal under a key held in the
// keychain (an edit made outside Curvekeep is found), and the revision and audit head sealed in
// the keychain too (an older copy put back, or a deleted document, is found).
//
// One commit protocol covers the document, the audit log and keychain items (curvekeep.journal):
//   1. while the change runs, each keychain item it writes is first named in the journal;
//   2. the new document is written to curvekeep.json.next (fsync);
//   3. the commit record (new revision, the audit entries, the byte size of the log before them,
//      the keychain items to delete) is appended to the journal (fsync): the commit point;
//   4. the audit entries are appended (fsync); the old document becomes the .bak; .next is renamed
//      over the document (directory fsync); the sealed state is set in the keychain; the items the
//      change deleted are deleted; the journal is removed.
// Killed before 3, the next command undoes it (removes the named items the document does not own,
// and .next); killed after 3, the next command completes it. Every command does this first.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFile, copyFile, link, mkdir, open, readFile, rename, stat, truncate, unlink } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../ports/secret-store.js';
import type { DocumentStore } from '../ports/document-store.js';
import { AuditKeyMissingError, DataFolderError, isCurvekeepError, StoreCorruptError, StoreMissingError, StoreRolledBackError, StoreTamperedError } from '../errors.js';
import { type AuditEvent, type AuditHead, makeEntries, verifyLog, type AuditVerdict, readEntries, type AuditEntry } from './audit-log.js';
import type { DocumentData } from './document.js';
import { SCHEMA_VERSION } from './schema-version.js';
import { cloneData } from './clone-data.js';
import { withFileLock } from './file-lock.js';
import { checkSchema, migrate } from './migrations.js';
import { AUDIT_SEAL_ACCOUNT, STORE_SEAL_ACCOUNT, ownedAccounts, stateSealAccount } from './accounts.js';
import { aroundKeychainWrite } from './crash-point.js';

export { STORE_SEAL_ACCOUNT, AUDIT_SEAL_ACCOUNT } from './accounts.js';

const FORMAT = 'curvekeep-store';

interface Envelope {
  format: typeof FORMAT;
  schema: number;
  revision: number;
  seal: string;
  data: unknown;
}

import type { Snapshot, Transaction } from '../ports/document-store.js';

export type { Snapshot, Transaction };

/** The revision and audit head sealed in the keychain. */
export interface SealedState {
  readonly revision: number;
  readonly auditSeq: number;
  readonly auditHash: string;
}

interface CommitRecord {
  readonly op: 'commit';
  readonly revision: number;
  readonly auditSize: number;
  readonly audit: string;
  readonly head: AuditHead;
  readonly deletes: ReadonlyArray<string>;
}

interface JournalState {
  readonly secrets: string[];
  readonly commit: CommitRecord | null;
  /** Byte offset of the commit record (to take it back when the audit append fails). */
  readonly commitOffset: number;
}

/** What a write in progress in this process records (found through AsyncLocalStorage). */
interface Active {
  readonly store: MetadataStore;
  readonly deletes: Array<{ account: string; resolve: (found: boolean) => void }>;
}

function sealOf(key: Buffer, schema: number, revision: number, body: string | Buffer): string {
  return createHmac('sha256', key).update(`${FORMAT}\n${schema}\n${revision}\n`).update(body).digest('hex');
}

/**
 * The sealed body of a document: the data as JSON.stringify writes it. A document Curvekeep wrote
 * holds exactly that text after its header, so it is cut out of the file instead of written again
 * (a 100,000-device document is 35 MB); any other layout is written again from the parsed data.
 */
function bodyOf(raw: string, envelope: Envelope, bytes?: Buffer): string | Buffer {
  const header = `{"format":"${FORMAT}","schema":${envelope.schema},"revision":${envelope.revision},"seal":${JSON.stringify(envelope.seal)},"data":`;
  const end = raw.endsWith('}\n') ? raw.length - 2 : raw.endsWith('}') ? raw.length - 1 : -1;
  if (end > header.length && raw.startsWith(header)) {
    // The file's own bytes when they were read: hashed as they are, not encoded again (the header
    // and the tail are ASCII, so their lengths in characters are their lengths in bytes).
    return bytes ? bytes.subarray(header.length, bytes.length - (raw.length - end)) : raw.slice(header.length, end);
  }
  return JSON.stringify(envelope.data);
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function appendSynced(path: string, text: string | Buffer): Promise<void> {
  const handle = await open(path, 'a', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const activeWrite = new AsyncLocalStorage<Active>();

/** A file's identity: the same file, unchanged, has the same key. */
function keyOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export class MetadataStore implements DocumentStore {
  readonly kind = 'local' as const;
  readonly home: string;
  readonly file: string;
  readonly backupFile: string;
  readonly auditFile: string;
  readonly journalFile: string;
  readonly nextFile: string;
  readonly lockFile: string;
  /** The secret store every service uses: items written during a change are journaled first. */
  readonly secrets: SecretStore;
  readonly #secrets: SecretStore;
  readonly #now: () => Date;
  #keys = new Map<string, Buffer>();
  /**
   * The last document this store read and checked, with the identity of the file it came from
   * (device, inode, size, modification and change times in nanoseconds, taken from the open file
   * it was read through). A long-lived process (the app, the bridge) asks for the document on
   * every call; while the file is that same file, it is not read, parsed and checked again.
   * Any write (ours through rename, another process's, a copy put back, an edit whose mtime was
   * set back) changes the inode or the change time, which no program can set.
   */
  #verified: { readonly key: string; readonly snapshot: Snapshot } | null = null;

  constructor(home: string, secrets: SecretStore, now: () => Date = () => new Date()) {
    this.home = home;
    this.file = join(home, 'curvekeep.json');
    this.backupFile = `${this.file}.bak`;
    this.auditFile = join(home, 'audit.jsonl');
    this.journalFile = join(home, 'curvekeep.journal');
    this.nextFile = `${this.file}.next`;
    this.lockFile = join(home, 'curvekeep.lock');
    this.#secrets = secrets;
    this.#now = now;
    this.secrets = this.#journaledSecrets(secrets);
  }

  #journaledSecrets(inner: SecretStore): SecretStore {
    const journalFile = this.journalFile;
    const isMine = (active: Active | undefined) => active?.store === this;
    return {
      get description() {
        return inner.description;
      },
      async set(account, secret) {
        // Inside a change of this store: name the item in the journal before it exists, so that a
        // kill before the commit leaves nothing the next command cannot find and remove. Not
        // fsynced one by one (a batch may write thousands): a killed process's writes survive,
        // the commit record's fsync makes them durable, and what a power cut loses, doctor finds.
        if (isMine(activeWrite.getStore())) await appendFile(journalFile, `${JSON.stringify({ op: 'secret', account })}\n`, { mode: 0o600 });
        await aroundKeychainWrite(() => inner.set(account, secret));
      },
      get: (account) => inner.get(account),
      delete: (account) => aroundKeychainWrite(() => inner.delete(account)),
      accounts: () => inner.accounts(),
    };
  }

  async #key(account: string, create: boolean): Promise<Buffer | null> {
    const cached = this.#keys.get(account);
    if (cached) return cached;
    const stored = await this.#secrets.get(account);
    let key: Buffer | null = stored ? Buffer.from(stored, 'base64') : null;
    if (!key && create) {
      key = randomBytes(32);
      await this.secrets.set(account, key.toString('base64'));
    }
    if (key) this.#keys.set(account, key);
    return key;
  }

  /** The revision and audit head sealed in the keychain; null before the first write. */
  async sealedState(): Promise<SealedState | null> {
    const stored = await this.#secrets.get(stateSealAccount(this.home));
    if (!stored) return null;
    try {
      const s = JSON.parse(stored) as SealedState;
      if (Number.isInteger(s.revision) && Number.isInteger(s.auditSeq) && typeof s.auditHash === 'string') return s;
    } catch {
      // fall through: an unreadable sealed state is no sealed state
    }
    return null;
  }

  async #readRaw(): Promise<string | null> {
    return (await this.#readWithKey())?.bytes.toString('utf8') ?? null;
  }

  /** The document file's identity (see #verified), or null when there is none. */
  async #fileKey(): Promise<string | null> {
    try {
      return keyOf(await stat(this.file, { bigint: true }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new DataFolderError(`cannot read ${this.file}: ${code(error)}`);
    }
  }

  /** The document's bytes and the identity of the very file they were read from. */
  async #readWithKey(): Promise<{ bytes: Buffer; key: string } | null> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new DataFolderError(`cannot read ${this.file}: ${code(error)}`);
    }
    try {
      const key = keyOf(await handle.stat({ bigint: true }));
      return { bytes: await handle.readFile(), key };
    } catch (error) {
      throw new DataFolderError(`cannot read ${this.file}: ${code(error)}`);
    } finally {
      await handle.close();
    }
  }

  #parse(raw: string, bytes?: Buffer): { envelope: Envelope; body: string | Buffer } {
    const corrupt = (why: string) =>
      new StoreCorruptError(
        `${this.file} is not a valid Curvekeep data file (${why}); it has not been changed. ` +
          `The last good version is ${this.backupFile}: inspect it and copy it back by hand`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw corrupt((error as Error).message);
    }
    const e = parsed as Partial<Envelope> | null;
    if (!e || typeof e !== 'object' || e.format !== FORMAT || typeof e.revision !== 'number' || typeof e.seal !== 'string' || typeof e.schema !== 'number' || typeof e.data !== 'object' || e.data === null) {
      throw corrupt('its header is missing or wrong');
    }
    return { envelope: e as Envelope, body: bodyOf(raw, e as Envelope, bytes) };
  }

  async #validate(envelope: Envelope): Promise<DocumentData> {
    const body = migrate(envelope.schema, envelope.data as Record<string, unknown>, this.file);
    const { DocumentDataSchema } = await import('./document.js');
    const result = DocumentDataSchema.safeParse(body);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new StoreCorruptError(
        `${this.file} does not match the data format at ${issue.path.join('.') || '(top)'}: ${issue.message}; it has not been changed`,
      );
    }
    return result.data;
  }

  /**
   * The data of a document whose seal verified, at this schema version: Curvekeep wrote it, and
   * every document Curvekeep writes was validated first (update and reseal), so zod does not run
   * again on each read (a 5,000-identity document took ~40 ms). Any other version is migrated
   * and validated; an outside edit fails the seal, and reseal validates it (with the bad field).
   */
  async #sealedData(envelope: Envelope): Promise<DocumentData> {
    if (envelope.schema !== SCHEMA_VERSION) return this.#validate(envelope);
    const data = envelope.data as DocumentData;
    data.devices ??= [];
    data.batches ??= [];
    return data;
  }

  /** Refuses to write data that a read would refuse (a sealed document is read unvalidated). */
  async #checkBeforeWrite(data: DocumentData): Promise<void> {
    const { DocumentDataSchema } = await import('./document.js');
    const result = DocumentDataSchema.safeParse(data);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new StoreCorruptError(
        `the change does not match the data format at ${issue.path.join('.') || '(top)'}: ${issue.message}; ${this.file} has not been changed`,
      );
    }
  }

  async #auditHasEntries(): Promise<boolean> {
    try {
      return (await stat(this.auditFile)).size > 0;
    } catch {
      return false;
    }
  }

  async #checkSeal(envelope: Envelope, body: string | Buffer): Promise<void> {
    const key = await this.#key(STORE_SEAL_ACCOUNT, false);
    const actual = Buffer.from(envelope.seal, 'hex');
    const matches = (text: string | Buffer): boolean => {
      const expected = key ? Buffer.from(sealOf(key, envelope.schema, envelope.revision, text), 'hex') : null;
      return expected !== null && expected.length === actual.length && timingSafeEqual(expected, actual);
    };
    // The body as written is tried first; the data written out again is what the seal covers.
    let sealed = matches(body);
    if (!sealed && key) {
      const canonical = JSON.stringify(envelope.data);
      if (canonical !== body) sealed = matches(canonical);
    }
    if (!sealed) {
      throw new StoreTamperedError(
        `${this.file} was changed outside Curvekeep (${key ? 'its seal does not match' : 'its seal key is missing from the keychain'}). ` +
          'A swapped peer key or pin is how a man in the middle gets in',
      );
    }
  }

  async #load(lockedHere: boolean): Promise<Snapshot> {
    // A read inside this store's own change already holds the lock (and its journal is its own).
    const locked = lockedHere || activeWrite.getStore()?.store === this;
    if (!locked && (await exists(this.journalFile).catch(() => false))) {
      // A write was interrupted (or is in progress): complete or undo it first, under the lock.
      return withFileLock(this.lockFile, async () => {
        await this.#recover();
        return this.#load(true);
      });
    }
    // A document read before: answered again while its file is the same file and the sealed
    // revision is not newer (the file's identity and the sealed state asked for at once).
    let knownSealed: SealedState | null | undefined;
    const verified = this.#verified;
    if (verified) {
      const [current, state] = await Promise.all([this.#fileKey(), this.sealedState()]);
      if (current === verified.key && (!state || state.revision <= verified.snapshot.revision)) return verified.snapshot;
      this.#verified = null;
      knownSealed = state;
    }
    // The file and the sealed state at once (the keychain answers over D-Bus meanwhile).
    const [read, sealed] = await Promise.all([this.#readWithKey(), knownSealed === undefined ? this.sealedState() : knownSealed]);
    const bytes = read?.bytes ?? null;
    if (bytes === null) {
      if (sealed || (await this.#auditHasEntries())) {
        throw new StoreMissingError(
          `${this.file} is missing, but this keychain holds the seal of a document written before (revision ${sealed?.revision ?? 'unknown'}) ` +
            'and the audit log has entries: it was deleted or moved',
          { file: this.file, sealedRevision: sealed?.revision ?? null },
        );
      }
      return { revision: 0, data: (await import('./empty-document.js')).emptyDocument() };
    }
    const { envelope, body } = this.#parse(bytes.toString('utf8'), bytes);
    checkSchema(envelope.schema, this.file);
    await this.#checkSeal(envelope, body);
    if (sealed && envelope.revision < sealed.revision) {
      // A writer may have sealed a newer revision between our two reads: look again under the lock.
      if (!locked) return withFileLock(this.lockFile, () => this.#load(true));
      throw new StoreRolledBackError(
        `${this.file} was rolled back: it is revision ${envelope.revision}, but the keychain holds the seal of revision ${sealed.revision} ` +
          '(an older copy was put in its place; a removed peer or key may have come back)',
        { file: this.file, revision: envelope.revision, sealedRevision: sealed.revision },
      );
    }
    const snapshot = { revision: envelope.revision, data: await this.#sealedData(envelope) };
    this.#verified = { key: read!.key, snapshot };
    return snapshot;
  }

  /** The current document, checked against its seal and the sealed revision. */
  async read(): Promise<Snapshot> {
    return this.#load(false);
  }

  async #ensureHome(): Promise<void> {
    try {
      await mkdir(this.home, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new DataFolderError(`cannot create the data folder ${this.home}: ${code(error)}`);
    }
  }

  async #readJournal(): Promise<JournalState | null> {
    let text: string;
    try {
      text = await readFile(this.journalFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new DataFolderError(`cannot read ${this.journalFile}: ${code(error)}`);
    }
    const secrets: string[] = [];
    let commit: CommitRecord | null = null;
    let commitOffset = 0;
    let offset = 0;
    for (const line of text.split('\n')) {
      const at = offset;
      offset += Buffer.byteLength(line) + 1;
      if (!line.trim()) continue;
      let record: { op?: string; account?: unknown };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        break; // a torn last line: it never became durable
      }
      if (record.op === 'secret' && typeof record.account === 'string') secrets.push(record.account);
      else if (record.op === 'commit') {
        commit = record as unknown as CommitRecord;
        commitOffset = at;
      }
    }
    return { secrets, commit, commitOffset };
  }

  /** Reads the document's data without checking its seal: only to know which items it owns. */
  async #dataForOwnership(): Promise<DocumentData | null> {
    const raw = await this.#readRaw();
    if (raw === null) return (await import('./empty-document.js')).emptyDocument();
    try {
      return await this.#validate(this.#parse(raw).envelope);
    } catch {
      return null;
    }
  }

  /** Appends the audit text at `size`, unless it is there already (idempotent). */
  async #applyAudit(size: number, text: string): Promise<void> {
    if (!text) return;
    const bytes = Buffer.from(text);
    let current = 0;
    try {
      current = (await stat(this.auditFile)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (current >= size + bytes.length) {
      const handle = await open(this.auditFile, 'r');
      try {
        const there = Buffer.alloc(bytes.length);
        await handle.read(there, 0, bytes.length, size);
        if (there.equals(bytes)) return;
      } finally {
        await handle.close();
      }
    }
    if (current > size) await truncate(this.auditFile, size);
    await appendSynced(this.auditFile, bytes);
  }

  /** Puts .next in place of the document, keeping the old one as .bak. */
  async #promoteNext(): Promise<void> {
    if (!(await exists(this.nextFile))) return;
    if (await exists(this.file)) {
      await unlink(this.backupFile).catch(() => undefined);
      await link(this.file, this.backupFile).catch(() => copyFile(this.file, this.backupFile));
    }
    await rename(this.nextFile, this.file);
    await syncDir(this.home);
  }

  /** The steps after the document is in place; each is idempotent, so the next command can redo them. */
  async #finish(commit: CommitRecord, owned: Set<string> | null): Promise<ReadonlyArray<boolean>> {
    const sealed: SealedState = { revision: commit.revision, auditSeq: commit.head.seq, auditHash: commit.head.hash };
    await this.secrets.set(stateSealAccount(this.home), JSON.stringify(sealed));
    const found: boolean[] = [];
    for (const account of commit.deletes) {
      found.push(owned && owned.has(account) ? false : await this.secrets.delete(account));
    }
    await unlink(this.journalFile).catch(() => undefined);
    return found;
  }

  /** Undoes a write that never reached its commit point. */
  async #undo(journal: JournalState | null): Promise<void> {
    await unlink(this.nextFile).catch(() => undefined);
    if (journal && journal.secrets.length > 0) {
      const data = await this.#dataForOwnership();
      if (data) {
        const owned = ownedAccounts(data, this.home);
        for (const account of journal.secrets) if (!owned.has(account)) await this.secrets.delete(account);
      }
    }
    await unlink(this.journalFile).catch(() => undefined);
  }

  /** Completes or undoes an interrupted write (call under the lock). Returns what it did. */
  async #recover(): Promise<'none' | 'completed' | 'undone'> {
    const journal = await this.#readJournal();
    if (!journal) {
      await unlink(this.nextFile).catch(() => undefined);
      return 'none';
    }
    try {
      if (journal.commit) {
        await this.#applyAudit(journal.commit.auditSize, journal.commit.audit);
        await this.#promoteNext();
        const data = await this.#dataForOwnership();
        await this.#finish(journal.commit, data ? ownedAccounts(data, this.home) : null);
        return 'completed';
      }
      await this.#undo(journal);
      return 'undone';
    } catch (error) {
      if (isCurvekeepError(error)) throw error;
      throw new DataFolderError(`cannot finish the interrupted write recorded in ${this.journalFile}: ${code(error)}`);
    }
  }

  /** Completes or undoes an interrupted write now (doctor --repair), under the lock. */
  async recover(): Promise<'none' | 'completed' | 'undone'> {
    await this.#ensureHome();
    return withFileLock(this.lockFile, () => this.#recover());
  }

  /** Whether an interrupted write waits to be completed or undone (doctor). */
  async pendingJournal(): Promise<{ readonly committed: boolean; readonly secrets: number } | null> {
    const journal = await this.#readJournal();
    return journal ? { committed: journal.commit !== null, secrets: journal.secrets.length } : null;
  }

  /** The audit key, made only for a log that has no entry yet; a lost one is reported, not replaced. */
  async #auditKey(head: AuditHead): Promise<Buffer> {
    const key = await this.#key(AUDIT_SEAL_ACCOUNT, false);
    if (key) return key;
    if (head.seq > 0 || (await this.#auditHasEntries())) {
      throw new AuditKeyMissingError(
        `the audit seal key is missing from the ${this.#secrets.description}, but ${this.auditFile} has entries sealed with it; ` +
          'nothing was written. Restore the keychain item, or move the audit log aside and accept a new chain',
      );
    }
    return (await this.#key(AUDIT_SEAL_ACCOUNT, true))!;
  }

  /** Writes `data` as `revision` with the audit events, through the commit protocol (under the lock). */
  async #commit(revision: number, data: DocumentData, events: ReadonlyArray<AuditEvent>, deletes: Active['deletes'], auditSize: number | null): Promise<void> {
    let auditText = '';
    if (events.length > 0) {
      const key = await this.#auditKey(data.auditHead);
      const { entries, head } = makeEntries(data.auditHead, events, this.#now().toISOString(), key);
      auditText = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
      data.auditHead = head;
    }
    const storeKey = (await this.#key(STORE_SEAL_ACCOUNT, true))!;
    // Encoded once, for the seal and for the file (a fleet's document is megabytes: hashing the
    // string encoded it a second time, 15 ms of 3.5 MB here).
    const body = Buffer.from(JSON.stringify(data));
    const seal = sealOf(storeKey, SCHEMA_VERSION, revision, body);
    const text = Buffer.concat([Buffer.from(`{"format":"${FORMAT}","schema":${SCHEMA_VERSION},"revision":${revision},"seal":"${seal}","data":`), body, Buffer.from('}\n')]);
    let size = auditSize ?? 0;
    if (auditSize === null) {
      try {
        size = (await stat(this.auditFile)).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    const commit: CommitRecord = { op: 'commit', revision, auditSize: size, audit: auditText, head: data.auditHead, deletes: deletes.map((d) => d.account) };
    let committed = false;
    try {
      // 2. the new document beside the old one
      const handle = await open(this.nextFile, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // 3. the commit point
      const hadJournal = await exists(this.journalFile);
      await appendSynced(this.journalFile, `${JSON.stringify(commit)}\n`);
      if (!hadJournal) await syncDir(this.home);
      committed = true;
      // 4. the audit entries, then the document in place
      await this.#applyAudit(size, auditText);
      await this.#promoteNext();
    } catch (error) {
      // Not in place yet: take it all back, so that a full disk leaves the old state.
      await this.#abort(committed, size);
      throw new DataFolderError(`cannot write ${this.file}: ${code(error)}; nothing was changed`);
    }
    // The document is in place: the change stands. What is left is redone by the next command
    // (from the journal) when it fails here, so it is not reported as a failed change.
    const found = await this.#finish(commit, ownedAccounts(data, this.home)).catch(() => [] as boolean[]);
    deletes.forEach((d, i) => d.resolve(found[i] ?? false));
  }

  async #abort(committed: boolean, auditSize: number): Promise<void> {
    try {
      if (committed) {
        // Take back the log first, then the commit record: killed in between, the next command
        // still sees the commit and completes it.
        const current = await stat(this.auditFile).then((s) => s.size, () => 0);
        if (current > auditSize) await truncate(this.auditFile, auditSize);
        const journal = await this.#readJournal();
        if (journal?.commit) await truncate(this.journalFile, journal.commitOffset);
      }
      await this.#undo(await this.#readJournal());
    } catch {
      // Left for the next command, which completes or undoes what the journal says.
    }
  }

  /**
   * Reads the document under the lock, lets `change` edit it, and writes it back with the audit
   * events it recorded. When `change` throws, nothing is written (and keychain items it wrote
   * through `secrets` are removed).
   */
  async update<T>(change: (tx: Transaction) => T | Promise<T>): Promise<T> {
    await this.#ensureHome();
    return withFileLock(this.lockFile, async () => {
      await this.#recover();
      const current = await this.#load(true);
      const data = cloneData(current.data);
      const events: AuditEvent[] = [];
      const active: Active = { store: this, deletes: [] };
      const now = this.#now();
      const tx: Transaction = {
        data,
        now,
        audit: (event) => events.push(event),
        deleteSecret: (account) => new Promise<boolean>((resolve) => active.deletes.push({ account, resolve })),
      };
      let result: T;
      try {
        result = await activeWrite.run(active, () => change(tx));
        await this.#checkBeforeWrite(data);
      } catch (error) {
        await this.#undo(await this.#readJournal()).catch(() => undefined);
        throw error;
      }
      await this.#commit(current.revision + 1, data, events, active.deletes, null);
      return result;
    });
  }

  /**
   * Accepts the document as it is after the user reviewed it: an outside edit, an older copy put
   * back (rolled back), or a deleted document (an empty one takes its place). Logged.
   */
  async reseal(): Promise<{ readonly revision: number; readonly wasTampered: boolean; readonly rolledBack: boolean; readonly missing: boolean }> {
    await this.#ensureHome();
    return withFileLock(this.lockFile, async () => {
      await this.#recover();
      const raw = await this.#readRaw();
      const sealed = await this.sealedState();
      let wasTampered = false;
      let rolledBack = false;
      let missing = false;
      let data: DocumentData;
      let revision: number;
      if (raw === null) {
        if (!sealed && !(await this.#auditHasEntries())) return { revision: 0, wasTampered: false, rolledBack: false, missing: false };
        missing = true;
        data = (await import('./empty-document.js')).emptyDocument();
        revision = 0;
      } else {
        const { envelope, body } = this.#parse(raw);
        checkSchema(envelope.schema, this.file);
        try {
          await this.#checkSeal(envelope, body);
        } catch (error) {
          if (!(error instanceof StoreTamperedError)) throw error;
          wasTampered = true;
        }
        rolledBack = sealed !== null && envelope.revision < sealed.revision;
        data = await this.#validate(envelope);
        revision = envelope.revision;
      }
      // A lost audit key with the log moved aside: a new chain starts (and says so).
      let entries = (await readEntries(this.auditFile)).entries;
      const auditRestarted = entries.length === 0 && data.auditHead.seq > 0 && !(await this.#key(AUDIT_SEAL_ACCOUNT, false));
      if (auditRestarted) data.auditHead = { seq: 0, hash: '' };
      // The log goes on from its own last entry when it verifies, so that the chain stays whole
      // whatever the document remembers.
      const key = await this.#auditKey(data.auditHead);
      entries = (await readEntries(this.auditFile)).entries;
      if (entries.length > 0 && (await verifyLog(this.auditFile, key, { seq: 0, hash: '' })).ok) {
        const last = entries.at(-1)!;
        data.auditHead = { seq: last.seq, hash: last.hash };
      }
      const next = Math.max(revision, sealed?.revision ?? 0) + 1;
      const details = { outsideEdit: wasTampered, rolledBack, missing, auditRestarted, revision, sealedRevision: sealed?.revision ?? null };
      await this.#commit(next, data, [{ action: 'store.resealed', subject: 'store', details }], [], null);
      return { revision: next, wasTampered, rolledBack, missing };
    });
  }

  async auditEntries(): Promise<AuditEntry[]> {
    return (await readEntries(this.auditFile)).entries;
  }

  /** `read`: the document just read by the caller (its audit head is used; no second load). */
  async verifyAudit(read?: Readonly<Pick<DocumentData, 'auditHead'>>): Promise<AuditVerdict> {
    const data = read ?? (await this.#load(false)).data;
    const key = await this.#key(AUDIT_SEAL_ACCOUNT, false);
    if (!key) {
      const entries = (await readEntries(this.auditFile)).entries.length;
      if (entries === 0 && data.auditHead.seq === 0) return { ok: true, entries: 0 };
      return { ok: false, entries, broken: { position: 1, seq: null, reason: 'the audit seal key is missing from the keychain' } };
    }
    const verdict = await verifyLog(this.auditFile, key, data.auditHead as AuditHead);
    // The head sealed in the keychain must be in the log too (the document's may be older only
    // if it was rolled back, which loading refuses; this also holds when both were cut back).
    const sealed = await this.sealedState();
    if (verdict.ok && sealed && sealed.auditSeq > 0) {
      const entry = (await readEntries(this.auditFile)).entries[sealed.auditSeq - 1];
      if (!entry || entry.hash !== sealed.auditHash) {
        return {
          ok: false,
          entries: verdict.entries,
          broken: { position: Math.min(sealed.auditSeq, verdict.entries + 1), seq: sealed.auditSeq, reason: `entry ${sealed.auditSeq}, whose hash the keychain holds, is ${entry ? 'not the one in the log (the log was rewritten)' : 'missing (entries were removed from the end)'}` },
        };
      }
    }
    return verdict;
  }
}
