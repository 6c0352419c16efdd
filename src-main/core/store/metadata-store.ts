// The metadata document on disk: atomic writes (temp file, fsync, rename), a lock against a second
// writer, a `.bak` of the last good version, a corrupt file refused and never overwritten, and an
// HMAC seal under a key held in the keychain, so that an edit made outside Curvekeep is found.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretStore } from '../ports/secret-store.js';
import { DataFolderError, StoreCorruptError, StoreTamperedError } from '../errors.js';
import { type AuditEvent, type AuditHead, appendEntries, makeEntries, verifyLog, type AuditVerdict, readEntries, type AuditEntry } from './audit-log.js';
import type { DocumentData } from './document.js';
import { SCHEMA_VERSION } from './schema-version.js';
import { withFileLock } from './file-lock.js';
import { checkSchema, migrate } from './migrations.js';

export const STORE_SEAL_ACCOUNT = 'seal:store';
export const AUDIT_SEAL_ACCOUNT = 'seal:audit';

const FORMAT = 'curvekeep-store';

interface Envelope {
  format: typeof FORMAT;
  schema: number;
  revision: number;
  seal: string;
  data: unknown;
}

export interface Snapshot {
  readonly revision: number;
  readonly data: Readonly<DocumentData>;
}

/** What a change may do besides editing the document: record audit events. */
export interface Transaction {
  readonly data: DocumentData;
  readonly now: Date;
  audit(event: AuditEvent): void;
}

function sealOf(key: Buffer, schema: number, revision: number, body: string): string {
  return createHmac('sha256', key).update(`${FORMAT}\n${schema}\n${revision}\n`).update(body).digest('hex');
}

export class MetadataStore {
  readonly home: string;
  readonly file: string;
  readonly backupFile: string;
  readonly auditFile: string;
  readonly #lockFile: string;
  readonly #secrets: SecretStore;
  readonly #now: () => Date;
  #keys = new Map<string, Buffer>();

  constructor(home: string, secrets: SecretStore, now: () => Date = () => new Date()) {
    this.home = home;
    this.file = join(home, 'curvekeep.json');
    this.backupFile = `${this.file}.bak`;
    this.auditFile = join(home, 'audit.jsonl');
    this.#lockFile = join(home, 'curvekeep.lock');
    this.#secrets = secrets;
    this.#now = now;
  }

  async #key(account: string, create: boolean): Promise<Buffer | null> {
    const cached = this.#keys.get(account);
    if (cached) return cached;
    const stored = await this.#secrets.get(account);
    let key: Buffer | null = stored ? Buffer.from(stored, 'base64') : null;
    if (!key && create) {
      key = randomBytes(32);
      await this.#secrets.set(account, key.toString('base64'));
    }
    if (key) this.#keys.set(account, key);
    return key;
  }

  async #readRaw(): Promise<string | null> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      throw new DataFolderError(`cannot read ${this.file}: ${code ?? (error as Error).message}`);
    }
  }

  #parse(raw: string): { envelope: Envelope; body: string } {
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
    return { envelope: e as Envelope, body: JSON.stringify(e.data) };
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

  async #load(): Promise<Snapshot> {
    const raw = await this.#readRaw();
    if (raw === null) return { revision: 0, data: (await import('./document.js')).emptyDocument() };
    const { envelope, body } = this.#parse(raw);
    checkSchema(envelope.schema, this.file);
    const key = await this.#key(STORE_SEAL_ACCOUNT, false);
    const expected = key ? Buffer.from(sealOf(key, envelope.schema, envelope.revision, body), 'hex') : null;
    const actual = Buffer.from(envelope.seal, 'hex');
    if (!expected || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new StoreTamperedError(
        `${this.file} was changed outside Curvekeep (${key ? 'its seal does not match' : 'its seal key is missing from the keychain'}). ` +
          'A swapped peer key or pin is how a man in the middle gets in: review the file, then run `curvekeep store reseal` to accept it',
      );
    }
    return { revision: envelope.revision, data: await this.#validate(envelope) };
  }

  /** The current document, checked against its seal. */
  async read(): Promise<Snapshot> {
    return this.#load();
  }

  async #ensureHome(): Promise<void> {
    try {
      await mkdir(this.home, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new DataFolderError(`cannot create the data folder ${this.home}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  async #write(revision: number, data: DocumentData, hadFile: boolean): Promise<void> {
    const key = (await this.#key(STORE_SEAL_ACCOUNT, true))!;
    const body = JSON.stringify(data);
    const seal = sealOf(key, SCHEMA_VERSION, revision, body);
    const text = `{"format":"${FORMAT}","schema":${SCHEMA_VERSION},"revision":${revision},"seal":"${seal}","data":${body}}\n`;
    const temp = `${this.file}.tmp-${process.pid}`;
    try {
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (hadFile) await copyFile(this.file, this.backupFile);
      await rename(temp, this.file);
      const dir = await open(this.home, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw new DataFolderError(`cannot write ${this.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  /**
   * Reads the document under the lock, lets `change` edit it, and writes it back with the audit
   * events it recorded. When `change` throws, nothing is written.
   */
  async update<T>(change: (tx: Transaction) => T | Promise<T>): Promise<T> {
    await this.#ensureHome();
    return withFileLock(this.#lockFile, async () => {
      const raw = await this.#readRaw();
      const current = await this.#load();
      const data = structuredClone(current.data) as DocumentData;
      const events: AuditEvent[] = [];
      const now = this.#now();
      const result = await change({ data, now, audit: (event) => events.push(event) });
      if (events.length > 0) {
        const auditKey = (await this.#key(AUDIT_SEAL_ACCOUNT, true))!;
        const { entries, head } = makeEntries(data.auditHead, events, now.toISOString(), auditKey);
        await appendEntries(this.auditFile, entries).catch((error: NodeJS.ErrnoException) => {
          throw new DataFolderError(`cannot write ${this.auditFile}: ${error.code ?? error.message}`);
        });
        data.auditHead = head;
      }
      await this.#write(current.revision + 1, data, raw !== null);
      return result;
    });
  }

  /** Accepts an outside edit after the user reviewed it: seals the file as it is now (logged). */
  async reseal(): Promise<{ readonly revision: number; readonly wasTampered: boolean }> {
    await this.#ensureHome();
    return withFileLock(this.#lockFile, async () => {
      const raw = await this.#readRaw();
      if (raw === null) return { revision: 0, wasTampered: false };
      let wasTampered = false;
      try {
        await this.#load();
      } catch (error) {
        if (!(error instanceof StoreTamperedError)) throw error;
        wasTampered = true;
      }
      const data = await this.#validate(this.#parse(raw).envelope);
      const revision = this.#parse(raw).envelope.revision + 1;
      const auditKey = (await this.#key(AUDIT_SEAL_ACCOUNT, true))!;
      const { entries, head } = makeEntries(
        data.auditHead,
        [{ action: 'store.resealed', subject: 'store', details: { outsideEdit: wasTampered } }],
        this.#now().toISOString(),
        auditKey,
      );
      await appendEntries(this.auditFile, entries);
      data.auditHead = head;
      await this.#write(revision, data, true);
      return { revision, wasTampered };
    });
  }

  async auditEntries(): Promise<AuditEntry[]> {
    return (await readEntries(this.auditFile)).entries;
  }

  async verifyAudit(): Promise<AuditVerdict> {
    const { data } = await this.#load();
    const key = await this.#key(AUDIT_SEAL_ACCOUNT, false);
    if (!key) {
      const entries = (await readEntries(this.auditFile)).entries.length;
      if (entries === 0 && data.auditHead.seq === 0) return { ok: true, entries: 0 };
      return { ok: false, entries, broken: { position: 1, seq: null, reason: 'the audit seal key is missing from the keychain' } };
    }
    return verifyLog(this.auditFile, key, data.auditHead as AuditHead);
  }
}
