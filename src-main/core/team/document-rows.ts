// The fleet document as rows of the workspace's tables, and the difference between two documents
// as row operations: what a change inserts, which columns of which rows it updates, what it
// deletes. Only these go to the database, so that a change touches no more rows than it must and
// the database's column grants decide what each role may write.
import type { DocumentData, Identity, KeyGeneration, LinkTestRecord } from '../store/document.js';
import { canonicalJson } from './audit-signing.js';

export type Row = Record<string, unknown>;

export interface TableSpec {
  readonly name: TableName;
  readonly keys: ReadonlyArray<string>;
  /** Every column the document fills (the keys included; not the changed_* columns). */
  readonly columns: ReadonlyArray<string>;
}

export type TableName = 'identities' | 'link_tests' | 'peers' | 'devices' | 'batches' | 'pin_sets' | 'backup_keys';

export const TABLES: Readonly<Record<TableName, TableSpec>> = {
  identities: { name: 'identities', keys: ['id'], columns: ['id', 'name', 'role', 'tags', 'endpoints', 'created_at', 'rotate_every_days', 'generations'] },
  link_tests: { name: 'link_tests', keys: ['identity_id', 'generation'], columns: ['identity_id', 'generation', 'record'] },
  peers: { name: 'peers', keys: ['id'], columns: ['id', 'name', 'public_key', 'endpoints', 'tags', 'allowed', 'created_at', 'source', 'verification', 'link'] },
  devices: {
    name: 'devices',
    keys: ['id'],
    columns: ['id', 'name', 'public_key', 'server', 'batch', 'bundle_dir', 'tags', 'state', 'created_at', 'kept_secret', 'endpoint', 'replaces', 'previous_public_key', 'removed_at'],
  },
  batches: { name: 'batches', keys: ['id'], columns: ['id', 'created_at', 'csv_name', 'server', 'out_dir', 'counts', 'failed'] },
  pin_sets: { name: 'pin_sets', keys: ['host'], columns: ['host', 'pins', 'backup_pins', 'expires', 'created_at', 'updated_at', 'roles', 'last_check'] },
  backup_keys: { name: 'backup_keys', keys: ['id'], columns: ['id', 'host', 'algorithm', 'pin', 'csr_pem', 'created_at'] },
};

/** Parents before children when inserting; children first when deleting (link_tests cascade). */
export const INSERT_ORDER: ReadonlyArray<TableName> = ['identities', 'link_tests', 'peers', 'batches', 'devices', 'pin_sets', 'backup_keys'];
export const DELETE_ORDER: ReadonlyArray<TableName> = ['link_tests', 'identities', 'peers', 'devices', 'batches', 'pin_sets', 'backup_keys'];

export function rowKey(spec: TableSpec, row: Row): string {
  return spec.keys.length === 1 ? String(row[spec.keys[0]!]) : spec.keys.map((k) => String(row[k])).join('\u0000');
}

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function generationRow({ lastTest: _lastTest, ...rest }: KeyGeneration): Omit<KeyGeneration, 'lastTest'> {
  return rest;
}

/** The rows of each table for a document, by key. */
export function rowsOf(data: Readonly<DocumentData>): Record<TableName, Map<string, Row>> {
  const out = Object.fromEntries(Object.keys(TABLES).map((t) => [t, new Map<string, Row>()])) as Record<TableName, Map<string, Row>>;
  const put = (table: TableName, row: Row) => out[table].set(rowKey(TABLES[table], row), row);
  for (const i of data.identities) {
    put('identities', { id: i.id, name: i.name, role: i.role, tags: i.tags, endpoints: i.endpoints, created_at: i.createdAt, rotate_every_days: i.rotateEveryDays, generations: i.generations.map(generationRow) });
    for (const g of i.generations) if (g.lastTest) put('link_tests', { identity_id: i.id, generation: g.generation, record: g.lastTest });
  }
  for (const p of data.peers) {
    put('peers', { id: p.id, name: p.name, public_key: p.publicKey, endpoints: p.endpoints, tags: p.tags, allowed: p.allowed, created_at: p.createdAt, source: orNull(p.source), verification: p.verification, link: orNull(p.link) });
  }
  for (const d of data.devices) {
    put('devices', {
      id: d.id, name: d.name, public_key: d.publicKey, server: d.server, batch: d.batch, bundle_dir: d.bundleDir, tags: d.tags, state: d.state, created_at: d.createdAt,
      kept_secret: d.keptSecret, endpoint: orNull(d.endpoint), replaces: orNull(d.replaces), previous_public_key: orNull(d.previousPublicKey), removed_at: orNull(d.removedAt),
    });
  }
  for (const b of data.batches) put('batches', { id: b.id, created_at: b.createdAt, csv_name: b.csvName, server: b.server, out_dir: b.outDir, counts: b.counts, failed: b.failed });
  for (const s of data.pinSets) {
    put('pin_sets', { host: s.host, pins: s.pins, backup_pins: s.backupPins, expires: s.expires, created_at: s.createdAt, updated_at: s.updatedAt, roles: orNull(s.roles), last_check: orNull(s.lastCheck) });
  }
  for (const k of data.backupKeys) put('backup_keys', { id: k.id, host: k.host, algorithm: k.algorithm, pin: k.pin, csr_pem: k.csrPem, created_at: k.createdAt });
  return out;
}

export interface TableChanges {
  readonly inserts: Row[];
  /** Each row with only its key columns and the columns that changed. */
  readonly updates: Array<{ readonly key: string; readonly row: Row; readonly columns: ReadonlyArray<string> }>;
  /** The keys of deleted rows (their key columns). */
  readonly deletes: Array<{ readonly key: string; readonly row: Row }>;
}

const same = (a: unknown, b: unknown): boolean => a === b || canonicalJson(a) === canonicalJson(b);

/** What turns `before` into `after`, table by table. */
export function diffRows(before: Record<TableName, Map<string, Row>>, after: Record<TableName, Map<string, Row>>): Record<TableName, TableChanges> {
  const result = {} as Record<TableName, TableChanges>;
  for (const name of Object.keys(TABLES) as TableName[]) {
    const spec = TABLES[name];
    const changes: TableChanges = { inserts: [], updates: [], deletes: [] };
    const old = before[name];
    for (const [key, row] of after[name]) {
      const was = old.get(key);
      if (!was) {
        changes.inserts.push(row);
        continue;
      }
      if (was === row) continue;
      const columns = spec.columns.filter((c) => !spec.keys.includes(c) && !same(was[c], row[c]));
      if (columns.length === 0) continue;
      const partial: Row = {};
      for (const k of spec.keys) partial[k] = row[k];
      for (const c of columns) partial[c] = row[c];
      changes.updates.push({ key, row: partial, columns });
    }
    for (const [key, row] of old) {
      if (after[name].has(key)) continue;
      const partial: Row = {};
      for (const k of spec.keys) partial[k] = row[k];
      changes.deletes.push({ key, row: partial });
    }
    result[name] = changes;
  }
  return result;
}

export function isEmpty(changes: Record<TableName, TableChanges>): boolean {
  return Object.values(changes).every((c) => c.inserts.length === 0 && c.updates.length === 0 && c.deletes.length === 0);
}

/** Puts each generation's last test (from link_tests) back into the identities read. */
export function attachLinkTests(identities: Identity[], tests: ReadonlyArray<{ identity_id: string; generation: number; record: LinkTestRecord }>): void {
  if (tests.length === 0) return;
  const byId = new Map(identities.map((i) => [i.id, i]));
  for (const t of tests) {
    const g = byId.get(t.identity_id)?.generations.find((x) => x.generation === t.generation);
    if (g) g.lastTest = t.record;
  }
}
