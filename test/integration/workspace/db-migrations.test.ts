// Versioned migrations: `workspace init` applies what is missing and nothing twice, all or nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspaceConnection } from '../../../src-main/core/team/connection.js';
import { LATEST_SCHEMA_VERSION, migrate, MIGRATIONS, requireSchema } from '../../../src-main/core/team/migrations.js';
import { runCli } from '../../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';

let pg: TestPostgres;
let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  pg = await startPostgres();
  home = mkdtempSync(join(tmpdir(), 'curvekeep-db-mig-'));
  env = { ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_STORE: '' };
});

afterAll(async () => {
  await pg?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

const owner = (sql: string) => pg.psql(pg.ownerLogin, sql, pg.ownerPassword).then((r) => r.stdout.trim());

describe('workspace init', () => {
  it('before init: status says there is no schema, and member commands say what is missing (exit 3)', async () => {
    const status = await runCli(['--json', 'workspace', 'status', '--store', pg.ownerUrl], env);
    expect(status.stderr).toBe('');
    expect(status.json()).toMatchObject({ schemaVersion: null, revision: null, role: 'owner' });
    const members = await runCli(['workspace', 'members', '--store', pg.ownerUrl], env);
    expect(members.code).toBe(3);
    expect(members.stderr).toContain('the workspace has no Curvekeep schema yet');
  });

  it('creates the schema once; running it again applies nothing', async () => {
    const first = await runCli(['--json', 'workspace', 'init', '--store', pg.ownerUrl], env);
    expect(first.stderr).toBe('');
    expect(first.json()).toMatchObject({ before: null, schemaVersion: LATEST_SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
    const tables = await owner(`SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'curvekeep'`);
    expect(tables).toBe('audit,backup_keys,batches,devices,identities,link_tests,members,meta,peers,pin_sets,schema_migrations');
    await owner(`INSERT INTO curvekeep.peers (id, name, public_key, created_at, verification, changed_rev) VALUES ('p', 'p', '${'k'.repeat(40)}', now(), '{}', 1)`);

    const again = await runCli(['workspace', 'init', '--store', pg.ownerUrl], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`is up to date: schema version ${LATEST_SCHEMA_VERSION}, nothing applied`);
    expect(await owner('SELECT count(*) FROM curvekeep.schema_migrations')).toBe(String(MIGRATIONS.length));
    expect(await owner('SELECT count(*) FROM curvekeep.peers')).toBe('1');
  });

  it('applies only the migrations that are missing, in order, and a failing one leaves nothing behind', async () => {
    const connection = await openWorkspaceConnection(pg.ownerUrl);
    try {
      const broken = [...MIGRATIONS, { version: 2, name: 'adds a table', sql: 'CREATE TABLE curvekeep.extra (x int)' }, { version: 3, name: 'fails', sql: 'SELECT * FROM curvekeep.nothing_here' }];
      await expect(migrate(connection, broken)).rejects.toThrow(/nothing_here/);
      expect(await owner(`SELECT to_regclass('curvekeep.extra') IS NULL`)).toBe('t');
      expect(await owner('SELECT max(version) FROM curvekeep.schema_migrations')).toBe('1');

      const next = [...MIGRATIONS, { version: 2, name: 'adds a table', sql: 'CREATE TABLE curvekeep.extra (x int)' }];
      const result = await migrate(connection, next);
      expect(result).toEqual({ before: 1, after: 2, applied: [2] });
      expect(await migrate(connection, next)).toEqual({ before: 2, after: 2, applied: [] });
      // A workspace newer than this Curvekeep: refused with what to do.
      await expect(requireSchema(connection)).rejects.toThrow(/newer than this Curvekeep knows \(1\): upgrade Curvekeep/);
    } finally {
      await connection.close();
    }
    const r = await runCli(['workspace', 'init', '--store', pg.ownerUrl], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('newer than this Curvekeep knows');
  });
});

describe('two owners running init at once', () => {
  it('one applies the migrations, the other waits and applies nothing', async () => {
    const other = await startPostgres({ pki: pg.pki });
    try {
      const [a, b] = await Promise.all([openWorkspaceConnection(other.ownerUrl), openWorkspaceConnection(other.ownerUrl)]);
      try {
        const results = await Promise.all([migrate(a), migrate(b)]);
        expect(results.map((r) => r.applied.length).sort()).toEqual([0, MIGRATIONS.length]);
        expect(results.every((r) => r.after === LATEST_SCHEMA_VERSION)).toBe(true);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
      const rows = await other.psql(other.ownerLogin, 'SELECT count(*) FROM curvekeep.schema_migrations', other.ownerPassword);
      expect(rows.stdout.trim()).toBe(String(MIGRATIONS.length));
    } finally {
      await other.stop();
    }
  });
});
