// The PostgreSQL test harness itself: a TLS-only cluster as the postgres OS user, stopped and
// started again, and removed at the end.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec, PG_BIN, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

describe('postgres test harness', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('serves the owner over verified TLS with scram', async () => {
    const r = await pg.psql(pg.ownerLogin, 'select ssl, version from pg_stat_ssl where pid = pg_backend_pid()', pg.ownerPassword);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^t\|TLSv1\.[23]$/);
  });

  it('refuses plain TCP and a wrong password', async () => {
    const plain = await exec(`${PG_BIN}/psql`, ['-X', '-d', `host=127.0.0.1 port=${pg.port} dbname=curvekeep user=${pg.ownerLogin} password=${pg.ownerPassword} sslmode=disable connect_timeout=5`, '-c', 'select 1']);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(/no encryption|pg_hba/);
    const wrong = await pg.psql(pg.ownerLogin, 'select 1', 'wrong-password');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/password authentication failed/);
  });

  it('stops and starts the server on the same port', async () => {
    await pg.stopServer();
    const down = await pg.psql(pg.ownerLogin, 'select 1', pg.ownerPassword);
    expect(down.code).not.toBe(0);
    await pg.startServer();
    const up = await pg.psql(pg.ownerLogin, 'select 41 + 1', pg.ownerPassword);
    expect(up.stdout.trim()).toBe('42');
  });

  it('removes its folder when stopped', async () => {
    const dir = pg.socketDir;
    expect(existsSync(dir)).toBe(true);
    await pg.stop();
    expect(existsSync(dir)).toBe(false);
  });
});
