// Members on separate machines (own keychain service and data folder, separate CLI processes)
// against one workspace: a rotated server key reaches a tech without any hand-over, the rotation
// race has exactly one winner and leaves nothing half-done, an audit entry edited in the database
// is found, and the database stopped (before or in the middle of a command) is exit 3 with
// nothing changed here.
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, killServes, serveCli } from '../../helpers/cli.js';
import { type Member, type TeamWorkspace, startTeamWorkspace } from './store-fixture.js';

const serve = (member: Member, args: ReadonlyArray<string>) => serveCli(args, member.env);

/** The owner holds the workspace's revision row: every writer queues behind it until released. */
async function holdWrites(ws: TeamWorkspace): Promise<{ waiting(n: number): Promise<void>; release(): Promise<void>; client: pg.Client }> {
  const client = new pg.Client({ connectionString: ws.pg.ownerUrl });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query('UPDATE curvekeep.meta SET revision = revision + 1');
  return {
    client,
    async waiting(n) {
      for (let i = 0; i < 300; i++) {
        // Writers queued behind the held row: the first waits for this transaction, the next for the row's tuple lock
        // (pg_locks is live, unlike pg_stat_activity, whose other logins' rows the owner cannot see).
        const r = await client.query<{ n: string }>("SELECT count(DISTINCT pid)::text AS n FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple')");
        if (Number(r.rows[0]!.n) >= n) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`fewer than ${n} writers queued behind the held revision`);
    },
    async release() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

function started(member: Member, args: ReadonlyArray<string>): Promise<CliResult> {
  return member.cli(args, undefined, 60_000);
}

describe('a team on one workspace', () => {
  let ws: TeamWorkspace;
  let admin: Member;
  let operator: Member;
  let tech: Member;
  let tech2: Member;
  let gwId = '';
  beforeAll(async () => {
    ws = await startTeamWorkspace();
    admin = await ws.grant('alice', 'admin');
    operator = await ws.grant('oscar', 'operator', admin);
    tech = await ws.grant('tara', 'tech', admin);
    tech2 = await ws.grant('tomas', 'tech', admin);
  }, 120_000);
  afterAll(async () => {
    killServes();
    await ws?.cleanup();
  });

  it('the operator rotates a server key; the tech\'s next test uses the new key with no hand-over', async () => {
    const made = await operator.cli(['keys', 'generate', '--name', 'gw', '--role', 'server', '--json']);
    expect(made.stderr).toBe('');
    gwId = made.json<{ id: string }>().id;
    const oldKey = made.json<{ publicKey: string }>().publicKey;
    const first = await serve(operator, ['--as', 'gw', '--allow', 'any']);
    const before = await tech.cli(['test', first.endpoint, '--peer', 'gw', '--one-time-key', '--json']);
    expect(before.json()).toMatchObject({ verdict: 'ok' });
    await first.stop();

    expect((await operator.cli(['rotate', 'gw', '--stage', '--json'])).code).toBe(0);
    const promoted = await operator.cli(['rotate', 'gw', '--promote', '--force', '--json']);
    expect(promoted.stderr).toBe('');
    const second = await serve(operator, ['--as', 'gw', '--allow', 'any']);
    try {
      const after = await tech.cli(['test', second.endpoint, '--peer', 'gw', '--one-time-key', '--json']);
      expect(after.stderr).toBe('');
      expect(after.json()).toMatchObject({ verdict: 'ok' });
      expect(after.code).toBe(0);
      // The key the tech held before would fail now: the new one came from the workspace.
      const stale = await tech2.cli(['test', second.endpoint, '--server-key', oldKey, '--one-time-key', '--json']);
      expect(stale.json()).toMatchObject({ verdict: 'wrong-server-key' });
    } finally {
      await second.stop();
    }
  });

  it('two members stage the same rotation at once: exactly one wins, the other is told who and when, nothing half-done', async () => {
    const finished = await operator.cli(['rotate', 'gw', '--finish', '--force', '--json']);
    expect(finished.stderr).toBe('');
    expect(await operator.keychain.accounts()).not.toContain(`identity:${gwId}:1`);
    const hold = await holdWrites(ws);
    const a = started(admin, ['rotate', 'gw', '--stage', '--json']);
    const b = started(operator, ['rotate', 'gw', '--stage', '--json']);
    await hold.waiting(2);
    await hold.release();
    const results = await Promise.all([a, b]);
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const winner = results[0]!.code === 0 ? 'alice' : 'oscar';
    const loser = winner === 'alice' ? operator : admin;
    expect(losers[0]!.code).toBe(2);
    expect(losers[0]!.stderr).toMatch(new RegExp(`key gw was changed by ${winner} at \\d{4}-\\d\\d-\\d\\dT`));
    expect(losers[0]!.json()).toMatchObject({ ok: false, error: { code: 'workspace-conflict' } });
    // One pending generation (3), one staged entry in the audit, and no secret of the loser left behind.
    const gens = await ws.pg.psql(ws.pg.ownerLogin, `select string_agg(g->>'generation' || ':' || (g->>'state'), ',') from curvekeep.identities, jsonb_array_elements(generations) g where name = 'gw'`, ws.pg.ownerPassword);
    expect(gens.stdout.trim()).toBe('1:retired,2:current,3:pending');
    const staged = await ws.pg.psql(ws.pg.ownerLogin, "select count(*) from curvekeep.audit where action = 'rotation.staged' and (details->>'generation') = '3'", ws.pg.ownerPassword);
    expect(staged.stdout.trim()).toBe('1');
    expect(await loser.keychain.accounts()).not.toContain(`identity:${gwId}:3`);
    const winnerKeychain = winner === 'alice' ? admin.keychain : operator.keychain;
    expect(await winnerKeychain.accounts()).toContain(`identity:${gwId}:3`);
  }, 90_000);

  it('an audit entry edited by the database owner (trigger disabled) is found by audit verify, naming the entry', async () => {
    const good = await tech.cli(['audit', 'verify', '--json']);
    expect(good.json()).toMatchObject({ ok: true });
    // Members cannot edit it at all.
    const refused = await ws.pg.psql('oscar', "update curvekeep.audit set subject = 'x' where seq = 2");
    expect(refused.code).not.toBe(0);
    const edit = await ws.pg.psql(
      ws.pg.ownerLogin,
      "alter table curvekeep.audit disable trigger audit_append_only; update curvekeep.audit set subject = 'someone-else' where seq = 2; alter table curvekeep.audit enable trigger audit_append_only",
      ws.pg.ownerPassword,
    );
    expect(edit.stderr).toBe('');
    const bad = await tech.cli(['audit', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/BROKEN at entry 2 .*edited/);
    // Put back as it was: the chain verifies again (the test above changed nothing else).
    await ws.pg.psql(
      ws.pg.ownerLogin,
      "alter table curvekeep.audit disable trigger audit_append_only; update curvekeep.audit set subject = 'gw' where seq = 2; alter table curvekeep.audit enable trigger audit_append_only",
      ws.pg.ownerPassword,
    );
  });

  it('the database down: exit 3 within the connect timeout, nothing local changed, the next command works once it is back', async () => {
    await ws.pg.stopServer();
    try {
      const down = await tech.cli(['keys', 'list', '--json'], undefined, 30_000);
      expect(down.code).toBe(3);
      expect(down.stderr).toMatch(/workspace at 127\.0\.0\.1:\d+ .*(refused|not reachable|did not answer)/);
      expect(down.stderr).not.toContain(ws.pg.passwordFor('tara'));
      const write = await operator.cli(['keys', 'generate', '--name', 'while-down', '--role', 'client']);
      expect(write.code).toBe(3);
      expect(readdirSync(operator.home)).toEqual([]);
    } finally {
      await ws.pg.startServer();
    }
    const up = await tech.cli(['keys', 'list', '--json']);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('gw');
    expect(up.stdout).not.toContain('while-down');
  });

  it('a change whose transaction is cut by the server stopping: exit 3, its keychain item removed, the next command works', async () => {
    const accountsBefore = [...(await operator.keychain.accounts())].sort();
    const hold = await holdWrites(ws);
    const cut = started(operator, ['keys', 'generate', '--name', 'cut-short', '--role', 'client', '--json']);
    await hold.waiting(1);
    await ws.pg.stopServer();
    await hold.release();
    const result = await cut;
    await ws.pg.startServer();
    expect(result.code).toBe(3);
    expect(result.json()).toMatchObject({ ok: false, error: { code: 'workspace-unreachable' } });
    expect([...(await operator.keychain.accounts())].sort()).toEqual(accountsBefore);
    const list = await tech.cli(['keys', 'list', '--json']);
    expect(list.stdout).not.toContain('cut-short');
    const again = await operator.cli(['keys', 'generate', '--name', 'cut-short', '--role', 'client', '--json']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
  }, 90_000);
});
