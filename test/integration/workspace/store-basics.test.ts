// The store port's PostgreSQL adapter through the CLI: what one member writes another reads, only
// changed rows are written, each role's limits come from the database, and the audit is signed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, type TeamWorkspace, startTeamWorkspace } from './store-fixture.js';

describe('team workspace store', () => {
  let ws: TeamWorkspace;
  let admin: Member;
  let operator: Member;
  let tech: Member;
  beforeAll(async () => {
    ws = await startTeamWorkspace();
    admin = await ws.grant('alice', 'admin');
    operator = await ws.grant('oscar', 'operator', admin);
    tech = await ws.grant('tara', 'tech', admin);
  }, 120_000);
  afterAll(async () => {
    await ws?.cleanup();
  });

  it('what the operator writes the tech reads from another machine; the secret stays in the operator\'s keychain', async () => {
    const made = await operator.cli(['keys', 'generate', '--name', 'gw', '--role', 'server', '--endpoint', 'tcp://127.0.0.1:5555', '--json']);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const { id, publicKey } = made.json<{ id: string; publicKey: string }>();
    const seen = await tech.cli(['keys', 'list', '--json']);
    expect(seen.code).toBe(0);
    expect(JSON.stringify(seen.json())).toContain(publicKey);
    expect(await operator.keychain.accounts()).toContain(`identity:${id}:1`);
    expect(await tech.keychain.accounts()).not.toContain(`identity:${id}:1`);
    // No secret in the database.
    const secret = await operator.keychain.get(`identity:${id}:1`);
    const dump = await ws.pg.psql(ws.pg.ownerLogin, 'select row_to_json(i)::text from curvekeep.identities i', ws.pg.ownerPassword);
    expect(dump.stdout).toContain(publicKey);
    expect(dump.stdout).not.toContain(secret!);
  });

  it('a tech may not add keys or peers (exit 2, "your role (tech) may not ..."), and may record a verification', async () => {
    const key = await tech.cli(['keys', 'generate', '--name', 'mine', '--role', 'client']);
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/your role \(tech\) may not/);
    // An operator reads an identity's public part from the workspace.
    const gw = (await operator.cli(['keys', 'show', 'gw', '--json'])).json<{ publicKey?: string }>();
    expect(gw.publicKey).toHaveLength(40);
    const added = await operator.cli(['peers', 'add', '--name', 'sensor', '--key', 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7', '--json']);
    expect(added.stderr).toBe('');
    const techPeer = await tech.cli(['peers', 'add', '--name', 'other', '--key', 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7']);
    expect(techPeer.code).toBe(2);
    expect(techPeer.stderr).toMatch(/your role \(tech\) may not/);
    const show = await tech.cli(['peers', 'list', '--json']);
    expect(show.stdout).toContain('sensor');
    const code = (await tech.cli(['peers', 'show', 'sensor', '--json'])).json<{ safetyCode?: string }>();
    const verified = await tech.cli(['peers', 'verify', 'sensor', '--code', code.safetyCode ?? '', '--json']);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    const row = await ws.pg.psql(ws.pg.ownerLogin, "select verification->>'state', changed_by from curvekeep.peers where name = 'sensor'", ws.pg.ownerPassword);
    expect(row.stdout.trim()).toBe('verified|tara');
  });

  it('an operator may not provision devices: the database refuses it; the admin may, and a tech sees them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'curvekeep-ws-csv-'));
    try {
      writeFileSync(join(dir, 'd.csv'), `name\n${Array.from({ length: 30 }, (_, i) => `valve-${i}`).join('\n')}\n`);
      const refused = await operator.cli(['provision', '--csv', join(dir, 'd.csv'), '--server', 'gw', '--out', join(dir, 'op')]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/your role \(operator\) may not/);
      const done = await admin.cli(['provision', '--csv', join(dir, 'd.csv'), '--server', 'gw', '--out', join(dir, 'admin'), '--json']);
      expect(done.stderr).toBe('');
      expect(done.code).toBe(0);
      const listed = await tech.cli(['devices', 'list', '--json']);
      expect(listed.json<{ total: number }>().total).toBe(30);
      const rows = await ws.pg.psql(ws.pg.ownerLogin, "select count(*), min(changed_by), max(changed_by) from curvekeep.devices", ws.pg.ownerPassword);
      expect(rows.stdout.trim()).toBe('30|alice|alice');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const removed = await operator.cli(['peers', 'remove', 'sensor', '--json']);
    expect(removed.code).toBe(0);
    const audit = await tech.cli(['audit', 'list', '--json']);
    const entries = audit.json<Array<{ actor: string; action: string }>>();
    expect(entries.map((e) => e.actor)).toEqual(expect.arrayContaining(['oscar', 'tara']));
    const verify = await tech.cli(['audit', 'verify', '--json']);
    expect(verify.json()).toMatchObject({ ok: true });
    expect(verify.code).toBe(0);
  });
});
