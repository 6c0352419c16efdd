// The team workspace's DocumentStore: the fleet in PostgreSQL's normalized tables (schema
// `curvekeep`, see core/team/migrations). `read` assembles the document from the tables; `update`
// runs the change on a copy and writes, in ONE transaction, only the rows and columns that differ:
//   1. `UPDATE meta` (revision + 1): serializes writers; the audit chain appends after it;
//   2. deletes, updates (`WHERE id = $id AND changed_rev = $seen`), inserts, in bulk;
//   3. the audit entries, hash-chained and signed with the member's own key;
//   4. commit.
// A row someone else changed since it was read is a WorkspaceConflictError naming who and when;
// nothing is written then, and keychain items the change made are removed again. Secrets never
// go to the database: use cases write them to this machine's keychain through `secrets`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { DocumentStore, Snapshot, StoredAuditEntry, Transaction } from '../ports/document-store.js';
import type { SecretStore } from '../ports/secret-store.js';
import type { AuditEvent, AuditVerdict } from '../store/audit-log.js';
import type { Device, DocumentData, Identity } from '../store/document.js';
import { isCurvekeepError } from '../errors.js';
import { cloneData } from '../store/clone-data.js';
import { type SignedAuditEntry, type SigningKey, WORKSPACE_PASSWORD_ACCOUNT, makeSignedEntries, newSigningKey, signingAccount, signingKeyFrom, verifySignedLog } from './audit-signing.js';
import { DELETE_ORDER, INSERT_ORDER, type Row, TABLES, type TableName, type TableSpec, attachLinkTests, diffRows, isEmpty, rowKey, rowsOf } from './document-rows.js';
import { SigningKeyError, WorkspaceConflictError } from './store-errors.js';
import type { WorkspaceConnection } from './connection.js';
import { isConnectionLoss, openStoreConnection } from './store-connection.js';
import { PgChangeFeed } from './pg-change-feed.js';

const S = 'curvekeep';
const ts = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const agg = (fields: string, table: string, order: string) => `SELECT coalesce(json_agg(json_build_object(${fields}) ORDER BY ${order}), '[]')::text AS j FROM ${S}.${table}`;

const READ_SQL = [
  'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  `SELECT revision::text AS revision FROM ${S}.meta`,
  agg(`'id', id, 'name', name, 'role', role, 'tags', tags, 'endpoints', endpoints, 'createdAt', ${ts('created_at')}, 'rotateEveryDays', rotate_every_days, 'generations', generations, '_rev', changed_rev`, 'identities', 'created_at, id'),
  agg(`'identity_id', identity_id, 'generation', generation, 'record', record, '_rev', changed_rev`, 'link_tests', 'identity_id, generation'),
  agg(`'id', id, 'name', name, 'publicKey', public_key, 'endpoints', endpoints, 'tags', tags, 'allowed', allowed, 'createdAt', ${ts('created_at')}, 'source', source, 'verification', verification, 'link', link, '_rev', changed_rev`, 'peers', 'created_at, id'),
  agg(`'id', id, 'createdAt', ${ts('created_at')}, 'csvName', csv_name, 'server', server, 'outDir', out_dir, 'counts', counts, 'failed', failed, '_rev', changed_rev`, 'batches', 'created_at, id'),
  agg(`'host', host, 'pins', pins, 'backupPins', backup_pins, 'expires', expires, 'createdAt', ${ts('created_at')}, 'updatedAt', ${ts('updated_at')}, 'roles', roles, 'lastCheck', last_check, '_rev', changed_rev`, 'pin_sets', 'created_at, host'),
  agg(`'id', id, 'host', host, 'algorithm', algorithm, 'pin', pin, 'csrPem', csr_pem, 'createdAt', ${ts('created_at')}, '_rev', changed_rev`, 'backup_keys', 'created_at, id'),
  `SELECT seq::text AS seq, hash FROM ${S}.audit ORDER BY audit.seq DESC LIMIT 1`,
].join(';\n');

/**
 * The devices (100,000 in a large fleet) as plain rows of text: building JSON in the database
 * costs several times more than pg's row parser. Times as text in UTC (the session's time zone).
 */
const DEVICES_SQL =
  `SELECT id, name, public_key, server, batch, bundle_dir, tags::text, state, created_at::text, kept_secret::text, endpoint, replaces, previous_public_key, removed_at::text, changed_rev::text ` +
  `FROM ${S}.devices ORDER BY devices.created_at, devices.name, devices.id`;
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/** A text[] as PostgreSQL writes it (`{a,"b c","d\\"e"}`) as an array of strings. */
export function textArrayOf(literal: string): string[] {
  const out: string[] = [];
  if (literal.length <= 2) return out;
  let i = 1;
  while (i < literal.length - 1) {
    if (literal[i] === '"') {
      let value = '';
      i += 1;
      while (literal[i] !== '"') {
        if (literal[i] === '\\') i += 1;
        value += literal[i];
        i += 1;
      }
      out.push(value);
      i += 2; // the closing quote and the comma
    } else {
      const end = literal.indexOf(',', i);
      const stop = end === -1 ? literal.length - 1 : end;
      out.push(literal.slice(i, stop));
      i = stop + 1;
    }
  }
  return out;
}

/** A timestamptz as text in UTC (`2026-12-01 05:00:00.12+00`) as JavaScript's ISO string (`2026-12-01T05:00:00.120Z`). */
function isoOf(text: string): string {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?\+00$/.exec(text);
  if (!m) return new Date(text).toISOString();
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
}

/** Optional fields the document leaves out rather than holding null. */
const OPTIONAL: Readonly<Record<string, ReadonlyArray<string>>> = {
  peers: ['source', 'link'],
  pin_sets: ['roles', 'lastCheck'],
};

type Revisions = Record<TableName, Map<string, string>>;

interface TrackedRead extends Snapshot {
  readonly data: DocumentData;
  readonly revs: Revisions;
}

interface Active {
  readonly store: PgStore;
  readonly written: string[];
}

const activeChange = new AsyncLocalStorage<Active>();

const NOUNS: Readonly<Record<TableName, string>> = {
  identities: 'key',
  link_tests: 'the link test record of key',
  peers: 'peer',
  devices: 'device',
  batches: 'provisioning batch',
  pin_sets: 'pin set',
  backup_keys: 'backup key',
};

export interface PgStoreOptions {
  /** Password when the URL and PGPASSWORD have none (the app: from the keychain). */
  readonly password?: string;
  readonly connectTimeoutMs?: number;
}

export class PgStore implements DocumentStore {
  readonly kind = 'workspace' as const;
  readonly url: string;
  /** The secret store every service uses: items written during a change that fails are removed again. */
  readonly secrets: SecretStore;
  readonly #secrets: SecretStore;
  readonly #now: () => Date;
  readonly #options: PgStoreOptions;
  #client: Promise<WorkspaceConnection> | null = null;
  #login: string | null = null;
  #signing: SigningKey | null = null;
  /** The last document read, kept while the workspace's revision stays the same (every change moves it). */
  #cache: TrackedRead | null = null;
  /** One connection, one transaction at a time: reads and writes of concurrent callers (the app) queue here. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(url: string, secrets: SecretStore, now: () => Date = () => new Date(), options: PgStoreOptions = {}) {
    this.url = url;
    this.#secrets = secrets;
    this.#now = now;
    this.#options = options;
    const isMine = (active: Active | undefined) => active?.store === this;
    this.secrets = {
      get description() {
        return secrets.description;
      },
      async set(account, secret) {
        const active = activeChange.getStore();
        if (isMine(active)) active!.written.push(account);
        await secrets.set(account, secret);
      },
      get: (account) => secrets.get(account),
      delete: (account) => secrets.delete(account),
      accounts: () => secrets.accounts(),
    };
  }

  /** The server and database, for messages (never the password). */
  get where(): string {
    try {
      const u = new URL(this.url);
      const socket = u.searchParams.get('host');
      return `${u.hostname || socket || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname}`;
    } catch {
      return 'the workspace database';
    }
  }

  /** The password when the URL and PGPASSWORD have none: given, else the one the app's Settings kept in the keychain. */
  async #password(): Promise<string | undefined> {
    if (this.#options.password) return this.#options.password;
    if (process.env.PGPASSWORD || /^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(this.url) || /[?&]password=/.test(this.url)) return undefined;
    return (await this.#secrets.get(WORKSPACE_PASSWORD_ACCOUNT).catch(() => null)) ?? undefined;
  }

  async #open(): Promise<WorkspaceConnection> {
    if (!this.#client) {
      const opening = this.#password().then((password) => openStoreConnection(this.url, { password, connectTimeoutMs: this.#options.connectTimeoutMs })).then(async (conn) => {
        // The server went away between queries: the next query fails, is reported, and the next call reconnects.
        conn.client.on('error', () => {
          if (this.#client === opening) this.#client = null;
        });
        this.#login = conn.login;
        // Times are read as text in UTC (see isoOf).
        await conn.client.query("SET TIME ZONE 'UTC'");
        return conn;
      });
      this.#client = opening;
      opening.catch(() => {
        if (this.#client === opening) this.#client = null;
      });
    }
    return this.#client;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The login this store acts as (after the first query). */
  get login(): string | null {
    return this.#login;
  }

  /** A database error as a typed one (42501 -> RoleForbiddenError, a fault -> WorkspaceUnreachableError). */
  #translate(error: unknown, conn: WorkspaceConnection | null): unknown {
    const mapped = isCurvekeepError(error) || !conn ? error : conn.mapError(error);
    if (isConnectionLoss(mapped)) {
      const dead = this.#client;
      this.#client = null;
      void dead?.then((c) => c.close()).catch(() => undefined);
    }
    return mapped;
  }

  async #readTracked(client: pg.Client): Promise<TrackedRead> {
    if (this.#cache) {
      // One round trip instead of the whole fleet when nobody changed anything since (provisioning reads several times).
      const { rows } = await client.query<{ revision: string }>(`SELECT revision::text AS revision FROM ${S}.meta`);
      if (rows[0] && Number(rows[0].revision) === this.#cache.revision) return this.#cache;
    }
    this.#cache = null;
    const results = (await client.query(READ_SQL)) as unknown as pg.QueryResult[];
    const [, meta, identities, linkTests, peers, batches, pinSets, backupKeys, head] = results;
    const deviceRows = await client.query<string[]>({ text: DEVICES_SQL, rowMode: 'array', types: RAW_TEXT });
    await client.query('COMMIT');
    const revs = Object.fromEntries(Object.keys(TABLES).map((t) => [t, new Map<string, string>()])) as Revisions;
    const take = <T>(result: pg.QueryResult | undefined, table: TableName, keyOf: (o: Record<string, unknown>) => string): T[] => {
      const list = JSON.parse(String(result!.rows[0].j)) as Array<Record<string, unknown>>;
      const optional = OPTIONAL[table] ?? [];
      const map = revs[table];
      for (const o of list) {
        map.set(keyOf(o), String(o._rev));
        delete o._rev;
        for (const k of optional) if (o[k] === null) delete o[k];
      }
      return list as T[];
    };
    const byId = (o: Record<string, unknown>) => String(o.id);
    const identityList = take<Identity>(identities, 'identities', byId);
    const tests = take<{ identity_id: string; generation: number; record: never }>(linkTests, 'link_tests', (o) => `${String(o.identity_id)}\u0000${String(o.generation)}`);
    attachLinkTests(identityList, tests);
    const lastAudit = head!.rows[0] as { seq: string; hash: string } | undefined;
    const data: DocumentData = {
      identities: identityList,
      peers: take(peers, 'peers', byId),
      devices: this.#devicesOf(deviceRows.rows as unknown as Array<Array<string | null>>, revs.devices),
      batches: take(batches, 'batches', byId),
      pinSets: take(pinSets, 'pin_sets', (o) => String(o.host)),
      backupKeys: take(backupKeys, 'backup_keys', byId),
      auditHead: lastAudit ? { seq: Number(lastAudit.seq), hash: lastAudit.hash } : { seq: 0, hash: '' },
    };
    const row = meta!.rows[0] as { revision: string } | undefined;
    this.#cache = { revision: row ? Number(row.revision) : 0, data, revs };
    return this.#cache;
  }

  #devicesOf(rows: ReadonlyArray<ReadonlyArray<string | null>>, revs: Map<string, string>): Device[] {
    // A batch's devices share their times and tags: each distinct text is converted once.
    const times = new Map<string, string>();
    const time = (t: string): string => {
      let iso = times.get(t);
      if (iso === undefined) times.set(t, (iso = isoOf(t)));
      return iso;
    };
    const tagLists = new Map<string, string[]>();
    const devices: Device[] = new Array<Device>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [id, name, publicKey, server, batch, bundleDir, tagsJson, state, createdAt, keptSecret, endpoint, replaces, previousPublicKey, removedAt, rev] = rows[i] as ReadonlyArray<string | null> & { length: 15 } as [string, string, string, string, string | null, string | null, string, string, string, string, string | null, string | null, string | null, string | null, string];
      let tags = tagLists.get(tagsJson);
      if (!tags) tagLists.set(tagsJson, (tags = textArrayOf(tagsJson)));
      const d: Device = { id: id!, name: name!, publicKey: publicKey!, server: server!, batch, bundleDir, tags: [...tags], state: state as Device['state'], createdAt: time(createdAt!), keptSecret: keptSecret === 'true' };
      if (endpoint !== null) d.endpoint = endpoint;
      if (replaces !== null) d.replaces = replaces;
      if (previousPublicKey !== null) d.previousPublicKey = previousPublicKey;
      if (removedAt !== null) d.removedAt = time(removedAt);
      revs.set(id!, rev!);
      devices[i] = d;
    }
    return devices;
  }

  async read(): Promise<Snapshot> {
    const conn = await this.#open();
    const client = conn.client;
    return this.#serial(async () => {
      try {
        const { revision, data } = await this.#readTracked(client);
        return { revision, data };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw this.#translate(error, conn);
      }
    });
  }

  async update<T>(change: (tx: Transaction) => T | Promise<T>): Promise<T> {
    const conn = await this.#open();
    const client = conn.client;
    const current = await this.#serial(async () => {
      try {
        return await this.#readTracked(client);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw this.#translate(error, conn);
      }
    });
    const data = cloneData(current.data);
    const events: AuditEvent[] = [];
    const deletes: Array<{ account: string; resolve: (found: boolean) => void }> = [];
    const active: Active = { store: this, written: [] };
    const now = this.#now();
    const tx: Transaction = {
      data,
      now,
      audit: (event) => events.push(event),
      deleteSecret: (account) => new Promise<boolean>((resolve) => deletes.push({ account, resolve })),
    };
    const takeBack = async () => {
      for (const account of active.written) await this.#secrets.delete(account).catch(() => undefined);
    };
    let result: T;
    try {
      result = await activeChange.run(active, () => change(tx));
    } catch (error) {
      await takeBack();
      throw error;
    }
    const before = rowsOf(current.data);
    const after = rowsOf(data);
    const changes = diffRows(before, after);
    // Conflicts name the row as the user knows it (a key by its name, a link test by its key's name).
    const nameOf = (table: TableName, row: Row): string => {
      const key = rowKey(TABLES[table], row);
      const full = before[table].get(key) ?? after[table].get(key) ?? row;
      if (table === 'link_tests') {
        const id = String(full.identity_id);
        return String((before.identities.get(id) ?? after.identities.get(id))?.name ?? id);
      }
      return String(full.name ?? full.host ?? full.id);
    };
    if (isEmpty(changes) && events.length === 0) {
      for (const d of deletes) d.resolve(await this.#secrets.delete(d.account));
      return result;
    }
    await this.#serial(async () => {
     try {
      await client.query('BEGIN');
      const meta = await client.query<{ revision: string }>(`UPDATE ${S}.meta SET revision = revision + 1, changed_by = current_user, changed_at = now() RETURNING revision::text AS revision`);
      const revision = meta.rows[0]!.revision;
      for (const name of DELETE_ORDER) {
        const list = changes[name].deletes;
        if (list.length === 0) continue;
        await this.#apply(client, TABLES[name], 'delete', list.map((d) => ({ ...d.row, changed_rev: current.revs[name].get(d.key) })), [], revision, nameOf);
      }
      for (const name of INSERT_ORDER) {
        const groups = new Map<string, { columns: ReadonlyArray<string>; rows: Row[] }>();
        for (const u of changes[name].updates) {
          const id = u.columns.join(',');
          const group = groups.get(id) ?? { columns: u.columns, rows: [] };
          group.rows.push({ ...u.row, changed_rev: current.revs[name].get(u.key) });
          groups.set(id, group);
        }
        for (const group of groups.values()) {
          await this.#apply(client, TABLES[name], 'update', group.rows, group.columns, revision, nameOf);
        }
      }
      for (const name of INSERT_ORDER) {
        const list = changes[name].inserts;
        if (list.length === 0) continue;
        await this.#apply(client, TABLES[name], 'insert', list, [], revision, nameOf);
      }
      if (events.length > 0) {
        await this.#appendAudit(client, events);
      }
      await client.query('COMMIT');
     } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      await takeBack();
      throw this.#translate(error, conn);
     }
    });
    for (const d of deletes) d.resolve(await this.#secrets.delete(d.account).catch(() => false));
    return result;
  }

  /** One bulk statement; a row that is not where it was read is a conflict naming who changed it and when. */
  async #apply(client: pg.Client, spec: TableSpec, op: 'insert' | 'update' | 'delete', rows: Row[], columns: ReadonlyArray<string>, revision: string, nameOf: (table: TableName, row: Row) => string): Promise<void> {
    const table = `${S}.${spec.name}`;
    const keys = spec.keys;
    const match = keys.map((k) => `t.${k} = x.${k}`).join(' AND ');
    const returning = keys.map((k) => `t.${k}::text AS ${k}`).join(', ');
    const source = `json_populate_recordset(null::${table}, $1::json) AS x`;
    let sql: string;
    if (op === 'insert') {
      const cols = spec.columns.join(', ');
      sql = `INSERT INTO ${table} AS t (${cols}, changed_rev) SELECT ${spec.columns.map((c) => `x.${c}`).join(', ')}, $2::bigint FROM ${source} ON CONFLICT DO NOTHING RETURNING ${returning}`;
    } else if (op === 'update') {
      const set = columns.map((c) => `${c} = x.${c}`).join(', ');
      sql = `UPDATE ${table} AS t SET ${set}, changed_rev = $2::bigint, changed_by = current_user, changed_at = now() FROM ${source} WHERE ${match} AND t.changed_rev = x.changed_rev RETURNING ${returning}`;
    } else {
      sql = `DELETE FROM ${table} AS t USING ${source} WHERE ${match} AND t.changed_rev = x.changed_rev RETURNING ${returning}`;
    }
    const params: unknown[] = [JSON.stringify(rows)];
    if (op !== 'delete') params.push(revision);
    const done = await client.query<Record<string, string>>(sql, params);
    if (done.rowCount === rows.length) return;
    const written = new Set(done.rows.map((r) => rowKey(spec, r)));
    const missing = rows.find((r) => !written.has(rowKey(spec, r)))!;
    throw await this.#conflict(client, spec, op, missing, nameOf(spec.name, missing));
  }

  async #conflict(client: pg.Client, spec: TableSpec, op: 'insert' | 'update' | 'delete', row: Row, subject: string): Promise<WorkspaceConflictError> {
    const where = spec.keys.map((k, i) => `${k}::text = $${i + 1}`).join(' AND ');
    const params = spec.keys.map((k) => String(row[k]));
    const who = `changed_by, ${ts('changed_at')} AS changed_at`;
    let found = (await client.query<{ changed_by: string; changed_at: string }>(`SELECT ${who} FROM ${S}.${spec.name} WHERE ${where}`, params)).rows[0];
    if (!found && op === 'insert' && typeof row.name === 'string' && (spec.name === 'identities' || spec.name === 'peers')) {
      found = (await client.query<{ changed_by: string; changed_at: string }>(`SELECT ${who} FROM ${S}.${spec.name} WHERE name = $1`, [row.name])).rows[0];
    }
    const noun = NOUNS[spec.name];
    const fields = { table: spec.name, subject, changedBy: found?.changed_by ?? null, changedAt: found?.changed_at ?? null };
    const message = found
      ? `${noun} ${subject} was ${op === 'insert' ? 'added' : 'changed'} by ${found.changed_by} at ${found.changed_at}, after this command read the workspace; nothing was written. Look at it again and retry if it still applies`
      : `${noun} ${subject} was removed by someone else after this command read the workspace; nothing was written. Look at it again and retry if it still applies`;
    return new WorkspaceConflictError(message, fields);
  }

  /** This member's signing key: from the keychain, registered in `members` at first use. */
  async #signingKey(client: pg.Client): Promise<SigningKey> {
    if (this.#signing) return this.#signing;
    const login = this.#login!;
    const member = (await client.query<{ signing_key: string | null }>(`SELECT signing_key FROM ${S}.members WHERE login = current_user`)).rows[0];
    if (!member) throw new SigningKeyError(`${login} is not a member of the workspace at ${this.where}: an admin adds it (workspace grant); nothing was written`);
    const account = signingAccount(login);
    const stored = await this.#secrets.get(account);
    let key = stored ? signingKeyFrom(stored) : null;
    if (member.signing_key) {
      if (!key || key.publicKey !== member.signing_key) {
        throw new SigningKeyError(
          `the audit signing key registered for ${login} is not in ${this.#secrets.description}: entries signed here could not be verified; nothing was written. ` +
            'Use the keychain that registered it, or ask an admin to clear your signing key',
        );
      }
    } else {
      if (!key) {
        const made = newSigningKey();
        await this.#secrets.set(account, made.stored);
        key = made.key;
      }
      await client.query(`UPDATE ${S}.members SET signing_key = $1 WHERE login = current_user AND signing_key IS NULL`, [key.publicKey]);
    }
    this.#signing = key;
    return key;
  }

  async #appendAudit(client: pg.Client, events: ReadonlyArray<AuditEvent>): Promise<void> {
    const key = await this.#signingKey(client);
    const last = (await client.query<{ seq: string; hash: string }>(`SELECT seq::text AS seq, hash FROM ${S}.audit ORDER BY audit.seq DESC LIMIT 1`)).rows[0];
    const head = last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: '' };
    const entries = makeSignedEntries(head, events, this.#now().toISOString(), this.#login!, key);
    await client.query(
      `INSERT INTO ${S}.audit (seq, at, actor, action, subject, details, prev, hash, signature) ` +
        `SELECT x.seq, x.at, x.actor, x.action, x.subject, x.details, x.prev, x.hash, x.signature FROM json_populate_recordset(null::${S}.audit, $1::json) AS x`,
      [JSON.stringify(entries)],
    );
  }

  async #auditRows(client: pg.Client): Promise<SignedAuditEntry[]> {
    const { rows } = await client.query<{ j: string }>(
      `SELECT coalesce(json_agg(json_build_object('seq', seq, 'at', ${ts('at')}, 'actor', actor, 'action', action, 'subject', subject, 'details', details, 'prev', prev, 'hash', hash, 'signature', signature) ORDER BY seq), '[]')::text AS j FROM ${S}.audit`,
    );
    return JSON.parse(rows[0]!.j) as SignedAuditEntry[];
  }

  async auditEntries(): Promise<ReadonlyArray<StoredAuditEntry>> {
    const conn = await this.#open();
    const client = conn.client;
    return this.#serial(async () => {
     try {
      return (await this.#auditRows(client)).map(({ signature: _s, details, ...e }) => (details ? { ...e, details } : e));
     } catch (error) {
      throw this.#translate(error, conn);
     }
    });
  }

  /** Checks the chain and each entry's signature against its actor's registered key. */
  async verifyAudit(): Promise<AuditVerdict> {
    const conn = await this.#open();
    const client = conn.client;
    return this.#serial(async () => {
      try {
        const entries = await this.#auditRows(client);
        const members = await client.query<{ login: string; signing_key: string | null; retired_keys: string[] | null }>(`SELECT login, signing_key, retired_keys FROM ${S}.members`);
        return verifySignedLog(entries, new Map(members.rows.map((m) => [m.login, [...(m.signing_key ? [m.signing_key] : []), ...(m.retired_keys ?? [])]])));
      } catch (error) {
        throw this.#translate(error, conn);
      }
    });
  }

  /** Whether the database answers now (the app's banner): opens the connection if needed, within its connect timeout. */
  async ping(): Promise<boolean> {
    try {
      const conn = await this.#open();
      await this.#serial(() => conn.client.query('SELECT 1'));
      return true;
    } catch (error) {
      this.#translate(error, null);
      return false;
    }
  }

  /** A feed of this workspace's changes (LISTEN on a connection of its own). */
  changeFeed(): PgChangeFeed {
    return new PgChangeFeed(this.url, { ...(this.#options.password ? { password: this.#options.password } : {}), ...(this.#options.connectTimeoutMs ? { connectTimeoutMs: this.#options.connectTimeoutMs } : {}) });
  }

  /** Ends the connection (the CLI at the end of a command; the app when it quits). */
  async close(): Promise<void> {
    const opening = this.#client;
    this.#client = null;
    if (!opening) return;
    const client = await opening.catch(() => null);
    await client?.close().catch(() => undefined);
  }
}
