// Each role's limits, enforced by PostgreSQL itself: psql with each member's own login (no
// Curvekeep in between), and the same refusals through the CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspaceConnection, RoleForbiddenError } from '../../../src-main/core/team/connection.js';
import { CHANGES_CHANNEL } from '../../../src-main/core/team/migrations.js';
import { runCli } from '../../helpers/cli.js';
import { initTestWorkspace, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

const KEY = 'rq:rvUOOAT+{ko:R7Z8wKAzR!-tS6hv:2(1k:X=?'; // 40 chars: a Z85 public key's shape
const SIGNING_KEY = Buffer.alloc(32, 7).toString('base64');

let pg: TestPostgres;
let home: string;
let env: NodeJS.ProcessEnv;

const ok = async (login: string, sql: string): Promise<string> => {
  const r = await pg.psql(login, sql);
  expect(r.stderr, `${login}: ${sql}`).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.trim();
};
const refused = async (login: string, sql: string, why: RegExp): Promise<void> => {
  const r = await pg.psql(login, sql);
  expect(r.code, `${login} should be refused: ${sql}`).not.toBe(0);
  expect(r.stderr).toMatch(why);
};
const DENIED = /permission denied for (table|function)/;
const RLS = /new row violates row-level security policy/;
const APPEND_ONLY = /audit log is append-only/;

beforeAll(async () => {
  pg = await startPostgres();
  home = mkdtempSync(join(tmpdir(), 'curvekeep-db-roles-'));
  env = { ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_STORE: '' };
  await initTestWorkspace(pg, { alice: 'admin', olivia: 'operator', tom: 'tech', tina: 'tech' });
  // Rows to act on, written by the owner (who owns the tables).
  await ok(
    pg.ownerLogin,
    `INSERT INTO curvekeep.identities (id, name, role, created_at, generations, changed_rev) VALUES ('id-1', 'gw', 'server', now(), '[]', 1);
     INSERT INTO curvekeep.peers (id, name, public_key, created_at, verification, changed_rev) VALUES ('peer-1', 'hq', '${KEY}', now(), '{"state":"unverified"}', 1);
     INSERT INTO curvekeep.pin_sets (host, pins, created_at, updated_at, changed_rev) VALUES ('api.test', '{sha256/x}', now(), now(), 1);
     INSERT INTO curvekeep.batches (id, created_at, csv_name, server, out_dir, counts, failed, changed_rev) VALUES ('b-1', now(), 'a.csv', 'id-1', '/out', '{}', '[]', 1);
     INSERT INTO curvekeep.devices (id, name, public_key, server, state, created_at, changed_rev) VALUES ('d-1', 'dev', '${KEY}', 'id-1', 'active', now(), 1);
     INSERT INTO curvekeep.audit (seq, action, subject, hash) VALUES (1, 'test.seed', 'x', 'h1');`,
  );
});

afterAll(async () => {
  await pg?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('tech (psql as tom)', () => {
  it('reads everything public', async () => {
    expect(await ok('tom', 'SELECT count(*) FROM curvekeep.identities')).toBe('1');
    expect(await ok('tom', 'SELECT login FROM curvekeep.members ORDER BY login')).toBe('alice\nolivia\ntina\ntom');
  });

  it('may not add or change identities, peers\' keys, pins, devices, batches', async () => {
    await refused('tom', `INSERT INTO curvekeep.identities (id, name, role, created_at, generations, changed_rev) VALUES ('id-2', 'x', 'server', now(), '[]', 2)`, DENIED);
    await refused('tom', `UPDATE curvekeep.identities SET generations = '[]', changed_by = session_user WHERE id = 'id-1'`, DENIED);
    await refused('tom', `UPDATE curvekeep.peers SET public_key = '${KEY.replace('r', 's')}', changed_by = session_user WHERE id = 'peer-1'`, DENIED);
    await refused('tom', `DELETE FROM curvekeep.peers WHERE id = 'peer-1'`, DENIED);
    await refused('tom', `UPDATE curvekeep.pin_sets SET pins = '{sha256/y}' WHERE host = 'api.test'`, DENIED);
    await refused('tom', `DELETE FROM curvekeep.devices`, DENIED);
    await refused('tom', `INSERT INTO curvekeep.batches (id, created_at, csv_name, server, out_dir, counts, failed, changed_rev) VALUES ('b-2', now(), 'a', 's', '/o', '{}', '[]', 2)`, DENIED);
    await refused('tom', `SELECT curvekeep.grant_member('eve', 'admin', NULL)`, DENIED);
    expect(await ok('tom', `SELECT public_key FROM curvekeep.peers WHERE id = 'peer-1'`)).toBe(KEY);
  });

  it('records verifications, link history, pin checks and link tests, as itself only', async () => {
    await ok('tom', `UPDATE curvekeep.peers SET verification = '{"state":"verified","by":"tom"}', link = '{"lastVerdict":"ok"}', changed_rev = 2, changed_by = session_user, changed_at = now() WHERE id = 'peer-1'`);
    expect(await ok('tom', `SELECT verification->>'state', changed_by FROM curvekeep.peers WHERE id = 'peer-1'`)).toBe('verified|tom');
    await ok('tom', `UPDATE curvekeep.pin_sets SET last_check = '{"pinMatched":true}', changed_rev = 3, changed_by = session_user WHERE host = 'api.test'`);
    await ok('tom', `INSERT INTO curvekeep.link_tests (identity_id, generation, record, changed_rev) VALUES ('id-1', 1, '{"verdict":"ok"}', 4)`);
    expect(await ok('tom', `SELECT changed_by FROM curvekeep.link_tests WHERE identity_id = 'id-1'`)).toBe('tom');
    await ok('tom', `UPDATE curvekeep.link_tests SET record = '{"verdict":"timeout"}', changed_rev = 5, changed_by = session_user WHERE identity_id = 'id-1' AND generation = 1`);
    // a test stays with the key generation it was made with
    await refused('tom', `UPDATE curvekeep.link_tests SET generation = 7, changed_by = session_user WHERE identity_id = 'id-1'`, DENIED);
    // ... but never in a colleague's name
    await refused('tom', `UPDATE curvekeep.peers SET verification = '{"state":"verified"}', changed_by = 'olivia' WHERE id = 'peer-1'`, RLS);
    await refused('tom', `INSERT INTO curvekeep.link_tests (identity_id, generation, record, changed_rev, changed_by) VALUES ('id-1', 2, '{}', 5, 'olivia')`, RLS);
    await refused('tom', `UPDATE curvekeep.link_tests SET record = '{}', changed_by = 'tina' WHERE identity_id = 'id-1'`, RLS);
  });

  it('appends audit entries as itself only, and can neither edit nor delete them', async () => {
    await ok('tom', `INSERT INTO curvekeep.audit (seq, action, subject, hash) VALUES (2, 'link.tested', 'hq', 'h2')`);
    expect(await ok('tom', 'SELECT actor FROM curvekeep.audit WHERE seq = 2')).toBe('tom');
    await refused('tom', `INSERT INTO curvekeep.audit (seq, actor, action, subject, hash) VALUES (3, 'alice', 'key.rotated', 'gw', 'h3')`, RLS);
    await refused('tom', `UPDATE curvekeep.audit SET action = 'nothing' WHERE seq = 2`, DENIED);
    await refused('tom', `DELETE FROM curvekeep.audit WHERE seq = 2`, DENIED);
    await refused('tom', `TRUNCATE curvekeep.audit`, DENIED);
    expect(await ok('tom', 'SELECT count(*) FROM curvekeep.audit')).toBe('2');
  });

  it('moves the revision forward only', async () => {
    const before = Number(await ok('tom', 'SELECT revision FROM curvekeep.meta'));
    expect(await ok('tom', 'UPDATE curvekeep.meta SET revision = revision + 1, changed_by = current_user, changed_at = now() RETURNING revision')).toBe(String(before + 1));
    await refused('tom', 'UPDATE curvekeep.meta SET revision = 0', /revision only grows/);
  });

  it('registers its own signing key once, and nobody else\'s', async () => {
    await ok('tom', `UPDATE curvekeep.members SET signing_key = '${SIGNING_KEY}' WHERE login = 'tom'`);
    const other = Buffer.alloc(32, 9).toString('base64');
    // A second registration and a colleague's row are invisible to the update: nothing changes.
    await ok('tom', `UPDATE curvekeep.members SET signing_key = '${other}' WHERE login = 'tom'`);
    await ok('tom', `UPDATE curvekeep.members SET signing_key = '${other}' WHERE login = 'tina'`);
    expect(await ok('tom', `SELECT login || '=' || coalesce(signing_key, '-') FROM curvekeep.members WHERE login IN ('tom', 'tina') ORDER BY login`)).toBe(`tina=-\ntom=${SIGNING_KEY}`);
    await refused('tom', `UPDATE curvekeep.members SET role = 'admin' WHERE login = 'tom'`, DENIED);
  });
});

describe('operator (psql as olivia)', () => {
  it('changes identities, peers and their keys, pins and backup keys', async () => {
    await ok('olivia', `INSERT INTO curvekeep.identities (id, name, role, created_at, generations, changed_rev) VALUES ('id-2', 'edge', 'server', now(), '[]', 10)`);
    await ok('olivia', `UPDATE curvekeep.identities SET generations = '[{"generation":1}]', changed_rev = 11, changed_by = session_user WHERE id = 'id-2'`);
    await ok('olivia', `UPDATE curvekeep.peers SET public_key = '${KEY.replace('r', 's')}', changed_rev = 12, changed_by = session_user WHERE id = 'peer-1'`);
    await ok('olivia', `INSERT INTO curvekeep.pin_sets (host, pins, created_at, updated_at, changed_rev) VALUES ('b.test', '{sha256/z}', now(), now(), 13)`);
    await ok('olivia', `INSERT INTO curvekeep.backup_keys (id, host, algorithm, pin, csr_pem, created_at, changed_rev) VALUES ('bk-1', 'b.test', 'ec', 'sha256/z', 'CSR', now(), 14)`);
    await ok('olivia', `DELETE FROM curvekeep.identities WHERE id = 'id-2'`);
  });

  it('may not touch devices, batches or members, nor edit the audit log', async () => {
    await refused('olivia', `INSERT INTO curvekeep.devices (id, name, public_key, server, state, created_at, changed_rev) VALUES ('d-2', 'x', '${KEY}', 'id-1', 'active', now(), 20)`, DENIED);
    await refused('olivia', `UPDATE curvekeep.devices SET state = 'removed' WHERE id = 'd-1'`, DENIED);
    await refused('olivia', `DELETE FROM curvekeep.batches`, DENIED);
    await refused('olivia', `SELECT curvekeep.grant_member('eve', 'tech', NULL)`, DENIED);
    await refused('olivia', `UPDATE curvekeep.members SET role = 'admin' WHERE login = 'olivia'`, DENIED);
    await refused('olivia', `DELETE FROM curvekeep.audit`, DENIED);
  });
});

describe('admin (psql as alice)', () => {
  it('also provisions and removes devices and batches', async () => {
    await ok('alice', `INSERT INTO curvekeep.batches (id, created_at, csv_name, server, out_dir, counts, failed, changed_rev) VALUES ('b-2', now(), 'b.csv', 'id-1', '/o', '{}', '[]', 30)`);
    await ok('alice', `INSERT INTO curvekeep.devices (id, name, public_key, server, batch, state, created_at, changed_rev) VALUES ('d-2', 'dev2', '${KEY}', 'id-1', 'b-2', 'active', now(), 31)`);
    await ok('alice', `UPDATE curvekeep.devices SET state = 'removed', removed_at = now(), changed_rev = 32, changed_by = session_user WHERE id = 'd-1'`);
    await ok('alice', `DELETE FROM curvekeep.devices WHERE id = 'd-2'`);
  });

  it('can neither edit nor delete audit entries', async () => {
    await refused('alice', `UPDATE curvekeep.audit SET action = 'x'`, DENIED);
    await refused('alice', `DELETE FROM curvekeep.audit`, DENIED);
    await refused('alice', `TRUNCATE curvekeep.audit`, DENIED);
  });
});

describe('the append-only trigger', () => {
  it('refuses UPDATE, DELETE and TRUNCATE even to a role holding the grant', async () => {
    // The owner holds every right on its tables (and is not subject to row-level security): only the trigger stops it.
    await refused(pg.ownerLogin, `UPDATE curvekeep.audit SET action = 'forged' WHERE seq = 1`, APPEND_ONLY);
    await refused(pg.ownerLogin, `DELETE FROM curvekeep.audit WHERE seq = 1`, APPEND_ONLY);
    await refused(pg.ownerLogin, `TRUNCATE curvekeep.audit`, APPEND_ONLY);
    // An admin granted TRUNCATE for a moment (not filtered by row-level security) is stopped by the trigger too.
    await ok(pg.ownerLogin, 'GRANT TRUNCATE ON curvekeep.audit TO curvekeep_admin');
    try {
      await refused('alice', 'TRUNCATE curvekeep.audit', APPEND_ONLY);
    } finally {
      await ok(pg.ownerLogin, 'REVOKE TRUNCATE ON curvekeep.audit FROM curvekeep_admin');
    }
    expect(await ok('alice', 'SELECT count(*) FROM curvekeep.audit')).toBe('2');
    expect(await ok('alice', 'SELECT action FROM curvekeep.audit WHERE seq = 1')).toBe('test.seed');
  });

  it('is what stood in the way: the owner disabling it can edit (what audit verify must then find)', async () => {
    await ok(pg.ownerLogin, `ALTER TABLE curvekeep.audit DISABLE TRIGGER audit_append_only; UPDATE curvekeep.audit SET action = 'edited' WHERE seq = 1; ALTER TABLE curvekeep.audit ENABLE TRIGGER audit_append_only`);
    expect(await ok('alice', 'SELECT action FROM curvekeep.audit WHERE seq = 1')).toBe('edited');
    await refused(pg.ownerLogin, `UPDATE curvekeep.audit SET action = 'again' WHERE seq = 1`, APPEND_ONLY);
  });
});

describe('the same refusals through the CLI', () => {
  it('a tech or an operator may not grant (exit 2, "your role (...) may not ...")', async () => {
    const tech = await runCli(['workspace', 'grant', 'eve', '--role', 'admin', '--store', pg.url('tom')], env);
    expect(tech.code).toBe(2);
    expect(tech.stderr).toContain('your role (tech) may not grant or change members');
    const operator = await runCli(['--json', 'workspace', 'grant', 'eve', '--role', 'tech', '--store', pg.url('olivia')], env);
    expect(operator.code).toBe(2);
    expect(operator.json<{ error: { code: string; message: string } }>().error).toEqual({ code: 'role-forbidden', message: 'your role (operator) may not grant or change members' });
    expect(await ok('alice', `SELECT count(*) FROM pg_roles WHERE rolname = 'eve'`)).toBe('0');
  });

  it('a tech may not initialize or migrate the workspace', async () => {
    const r = await runCli(['workspace', 'init', '--store', pg.url('tom')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('your role (tech) may not initialize or migrate the workspace');
  });

  it('an admin grants a member, changes its role, and the database follows', async () => {
    const created = await runCli(['--json', 'workspace', 'grant', 'eve', '--role', 'tech', '--password-stdin', '--store', pg.url('alice')], env, `${pg.passwordFor('eve')}\n`);
    expect(created.stderr).toBe('');
    expect(created.json()).toEqual({ login: 'eve', role: 'tech', outcome: 'created', passwordSet: true, signingKeyCleared: false });
    await refused('eve', `DELETE FROM curvekeep.peers`, DENIED);
    const promoted = await runCli(['workspace', 'grant', 'eve', '--role', 'operator', '--store', pg.url('alice')], env);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain('eve updated as operator (password unchanged)');
    await ok('eve', `UPDATE curvekeep.peers SET allowed = true, changed_rev = 40, changed_by = session_user WHERE id = 'peer-1'`);
    await refused('eve', `DELETE FROM curvekeep.devices`, DENIED);
    // One group at a time: demoted, the operator rights are gone.
    await runCli(['workspace', 'grant', 'eve', '--role', 'tech', '--store', pg.url('alice')], env);
    await refused('eve', `UPDATE curvekeep.peers SET allowed = false, changed_by = session_user WHERE id = 'peer-1'`, DENIED);
  });

  it('grant leaves alone a login that is not a member (the owner, a group, another role)', async () => {
    await pg.superuser(`CREATE ROLE outsider LOGIN`);
    const outsider = await runCli(['workspace', 'grant', 'outsider', '--role', 'admin', '--store', pg.url('alice')], env);
    expect(outsider.code).toBe(2);
    expect(outsider.stderr).toContain('not a workspace member');
    const group = await runCli(['workspace', 'grant', 'curvekeep_admin', '--role', 'admin', '--store', pg.url('alice')], env);
    expect(group.code).toBe(2);
    const owner = await runCli(['workspace', 'grant', pg.ownerLogin, '--role', 'tech', '--store', pg.url('alice')], env);
    expect(owner.code).toBe(2);
    expect(await ok('alice', `SELECT count(*) FROM curvekeep.members WHERE login IN ('outsider', 'curvekeep_admin', '${pg.ownerLogin}')`)).toBe('0');
  });

  it('members lists logins, roles and signing key fingerprints', async () => {
    const text = await runCli(['workspace', 'members', '--store', pg.url('tina')], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^tina\s+tech\s+not yet registered$/m);
    expect(text.stdout).toMatch(/^tom\s+tech\s+SHA256:[A-Za-z0-9+/]{43}$/m);
    const json = await runCli(['--json', 'workspace', 'members', '--store', pg.url('tina')], env);
    const members = json.json<Array<{ login: string; role: string; signingKey: string | null; fingerprint: string | null }>>();
    expect(members.map((m) => `${m.login}:${m.role}`)).toEqual(['alice:admin', 'eve:tech', 'olivia:operator', 'tina:tech', 'tom:tech']);
    expect(members.find((m) => m.login === 'tom')?.signingKey).toBe(SIGNING_KEY);
  });

  it('an admin clears a lost signing key (kept as retired); the member registers a new one; a tech may not', async () => {
    const tech = await runCli(['workspace', 'grant', 'tina', '--role', 'tech', '--clear-signing-key', '--store', pg.url('tom')], env);
    expect(tech.code).toBe(2);
    expect(tech.stderr).toContain('your role (tech) may not');
    await refused('tom', `SELECT curvekeep.clear_signing_key('tom')`, DENIED);
    const cleared = await runCli(['workspace', 'grant', 'tom', '--role', 'tech', '--clear-signing-key', '--store', pg.url('alice')], env);
    expect(cleared.stderr).toBe('');
    expect(cleared.stdout).toContain('tom updated as tech (password unchanged); signing key cleared');
    const json = await runCli(['--json', 'workspace', 'members', '--store', pg.url('alice')], env);
    const tom = json.json<Array<{ login: string; signingKey: string | null; retiredKeys: string[] }>>().find((m) => m.login === 'tom');
    expect(tom).toMatchObject({ signingKey: null, retiredKeys: [SIGNING_KEY] });
    const fresh = Buffer.alloc(32, 11).toString('base64');
    await ok('tom', `UPDATE curvekeep.members SET signing_key = '${fresh}' WHERE login = 'tom'`);
    expect(await ok('tom', `SELECT signing_key FROM curvekeep.members WHERE login = 'tom'`)).toBe(fresh);
    await refused('tom', `UPDATE curvekeep.members SET retired_keys = '{}' WHERE login = 'tom'`, DENIED);
  });

  it('a new member\'s password is never sent in clear: the server holds a SCRAM verifier', async () => {
    const r = await pg.superuser(`SELECT rolpassword FROM pg_authid WHERE rolname = 'eve'`);
    expect(r.stdout.trim()).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(r.stdout).not.toContain(pg.passwordFor('eve'));
  });
});

describe('refusals as typed errors in core', () => {
  it('a write outside the role is RoleForbiddenError naming the role and what was refused', async () => {
    const connection = await openWorkspaceConnection(pg.url('tom'));
    try {
      expect(connection.role).toBe('tech');
      const peerKey = connection.query(`UPDATE curvekeep.peers SET public_key = '${KEY}' WHERE id = 'peer-1'`);
      await expect(peerKey).rejects.toBeInstanceOf(RoleForbiddenError);
      await expect(peerKey).rejects.toThrow('your role (tech) may not change peers or their keys');
      await expect(connection.query(`DELETE FROM curvekeep.audit`)).rejects.toThrow('your role (tech) may not edit or delete audit entries');
      await expect(connection.query(`INSERT INTO curvekeep.audit (seq, actor, action, hash) VALUES (99, 'alice', 'x', 'h')`)).rejects.toThrow("your role (tech) may not write audit entries in another login's name");
      // a refused write inside a transaction leaves nothing of it
      const revision = async () => (await connection.query<{ revision: string }>('SELECT revision FROM curvekeep.meta')).rows[0]?.revision;
      const before = await revision();
      await expect(
        connection.transaction(async (query) => {
          await query('UPDATE curvekeep.meta SET revision = revision + 1');
          await query(`DELETE FROM curvekeep.identities`);
        }),
      ).rejects.toThrow('your role (tech) may not change own identities, their keys or rotations');
      expect(await revision()).toBe(before);
    } finally {
      await connection.close();
    }
    const operator = await openWorkspaceConnection(pg.url('olivia'));
    try {
      expect(operator.role).toBe('operator');
      await expect(operator.query(`DELETE FROM curvekeep.devices`)).rejects.toThrow('your role (operator) may not change devices');
    } finally {
      await operator.close();
    }
  });
});

describe('change notifications', () => {
  it('each new revision is announced on curvekeep_changes to every listening member', async () => {
    const listener = await openWorkspaceConnection(pg.url('tina'));
    try {
      const heard: string[] = [];
      listener.client.on('notification', (n) => {
        if (n.channel === CHANGES_CHANNEL && n.payload) heard.push(n.payload);
      });
      await listener.query(`LISTEN ${CHANGES_CHANNEL}`);
      const revision = await ok('olivia', 'UPDATE curvekeep.meta SET revision = revision + 1, changed_by = current_user RETURNING revision');
      // a refused change announces nothing
      await refused('tom', 'UPDATE curvekeep.meta SET revision = 1', /revision only grows/);
      // the notification arrives asynchronously: a round trip on the listening connection lets it in
      for (let i = 0; i < 50 && heard.length === 0; i++) await listener.query('SELECT 1');
      expect(heard).toEqual([revision]);
    } finally {
      await listener.close();
    }
  });
});
