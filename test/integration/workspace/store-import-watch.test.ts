// `workspace import` moves a local data folder into the workspace (public data and history; the
// secrets stay in the keychain and keep working), refuses a non-empty workspace unless told, and
// `status --watch` prints again when a colleague changes something.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../helpers/cli.js';
import { type Member, type TeamWorkspace, startTeamWorkspace } from './store-fixture.js';

describe('workspace import and status --watch', () => {
  let ws: TeamWorkspace;
  let admin: Member;
  let tech: Member;
  let dir: string;
  beforeAll(async () => {
    ws = await startTeamWorkspace();
    admin = await ws.grant('alice', 'admin');
    tech = await ws.grant('tara', 'tech', admin);
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-ws-import-'));
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await ws?.cleanup();
  });

  it('imports a local folder: keys, peers, devices and the audit history; the secret stays in the keychain', async () => {
    const localEnv = { ...admin.env };
    delete localEnv.CURVEKEEP_STORE;
    const local = (args: string[]) => runCli(args, localEnv);
    const gw = await local(['keys', 'generate', '--name', 'gw', '--role', 'server', '--json']);
    expect(gw.code).toBe(0);
    const { id } = gw.json<{ id: string }>();
    expect((await local(['peers', 'add', '--name', 'sensor', '--key', 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7'])).code).toBe(0);
    writeFileSync(join(dir, 'd.csv'), 'name\nv1\nv2\nv3\n');
    expect((await local(['provision', '--csv', join(dir, 'd.csv'), '--server', 'gw', '--out', join(dir, 'out'), '--endpoint', 'tcp://127.0.0.1:5555'])).code).toBe(0);
    const localAudit = (await local(['audit', 'list', '--json'])).json<unknown[]>();

    const imported = await admin.cli(['workspace', 'import', '--json']);
    expect(imported.stderr).toBe('');
    expect(imported.json()).toMatchObject({ identities: 1, peers: 1, devices: 3, batches: 1, auditEntries: localAudit.length });
    const keys = await tech.cli(['keys', 'list', '--json']);
    expect(keys.stdout).toContain('gw');
    expect((await tech.cli(['devices', 'list', '--json'])).json<{ total: number }>().total).toBe(3);
    const audit = (await tech.cli(['audit', 'list', '--json'])).json<Array<{ action: string; actor: string; details?: Record<string, unknown> }>>();
    expect(audit.filter((e) => e.details?.importedSeq !== undefined)).toHaveLength(localAudit.length);
    expect(audit.at(-1)).toMatchObject({ action: 'workspace.imported', actor: 'alice' });
    expect((await tech.cli(['audit', 'verify', '--json'])).json()).toMatchObject({ ok: true });
    // The secret never went to the database; the key still works from this keychain (the workspace holds its public part).
    const secret = await admin.keychain.get(`identity:${id}:1`);
    expect(secret).toBeTruthy();
    const dump = await ws.pg.psql(ws.pg.ownerLogin, 'select string_agg(row_to_json(t)::text, \'\') from curvekeep.identities t', ws.pg.ownerPassword);
    expect(dump.stdout).not.toContain(secret!);
    const staged = await admin.cli(['rotate', 'gw', '--stage', '--json']);
    expect(staged.code).toBe(0);

    const again = await admin.cli(['workspace', 'import', '--json']);
    expect(again.code).toBe(2);
    expect(again.json()).toMatchObject({ ok: false, error: { code: 'workspace-not-empty' } });
    const told = await admin.cli(['workspace', 'import', '--into-non-empty', '--json']);
    expect(told.json()).toMatchObject({ identities: 0, skipped: 6 });
  }, 90_000);

  it('status --watch prints again when a colleague changes something, and ends on Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'status', '--watch', '--json'], { env: tech.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    // Read from the start and all along: a report printed while the test runs the colleague's
    // command (before it waits for the second report) must not be lost.
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const reports = () => out.split('\n').slice(0, -1).filter((l) => l.trim()).map((l) => JSON.parse(l) as { counts: { peers: number } });
    const until = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (reports().length >= n) resolve();
          else if (Date.now() - started > 30_000) reject(new Error(`status --watch printed ${reports().length} reports, expected ${n}: ${err}`));
          else setTimeout(check, 50);
        };
        check();
      });
    try {
      await until(1);
      expect(reports()[0]!.counts.peers).toBe(1);
      expect((await admin.cli(['peers', 'add', '--name', 'sensor-2', '--key', 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID'])).code).toBe(0);
      await until(2);
      expect(reports()[1]!.counts.peers).toBe(2);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  }, 90_000);
});
