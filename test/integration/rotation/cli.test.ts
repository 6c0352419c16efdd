// `curvekeep rotate` and `curvekeep schedule` as real processes over one data folder and keychain:
// each step is a new process (a restart between every step), due dates from an injected clock,
// the ICS file parsed back, and the pending key tested against a real pyzmq server.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { setPinSet } from '../../../src-main/core/pins/pin-set.js';
import { dueRotations as dueList } from '../../../src-main/core/usecases/rotation.js';
import { createWorkspace } from '../../../src-main/core/workspace.js';
import { runCli } from '../../helpers/cli.js';
import { startFolderRouter } from '../../helpers/rotation/folder-router.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

describe('rotate and schedule on the command line', () => {
  let t: TestWorkspace;
  let dir: string;

  beforeAll(async () => {
    t = testWorkspace('rotation-cli');
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-rotation-cli-'));
    // Made "in 2020" through an injected clock: 30-day period, long overdue now.
    const past = createWorkspace(t.home, t.keychain, () => new Date('2020-01-01T12:00:00Z'));
    await generateIdentity(past, { name: 'old-client', role: 'client', rotateEveryDays: 30 });
    await generateIdentity(t.ws, { name: 'fresh-server', role: 'server' });
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes due and overdue from the clock it is given', async () => {
    const at = (iso: string) => createWorkspace(t.home, t.keychain, () => new Date(iso));
    const before = await dueList(at('2020-01-20T00:00:00Z'));
    expect(before.items.map((i) => [i.name, i.overdue])).toEqual([['old-client', false]]);
    const after = await dueList(at('2020-02-15T00:00:00Z'));
    expect(after).toMatchObject({ overdue: 1, items: [{ name: 'old-client', overdue: true, dueAt: '2020-01-31T12:00:00.000Z' }] });
    const planning = await dueList(at('2020-01-02T00:00:00Z'), { at: new Date('2020-01-15T00:00:00Z') });
    expect(planning.items).toEqual([]);
  });

  it('rotate --due lists the overdue key, --check exits 1, --at plans ahead; rotate without REF is bad usage', async () => {
    const due = await runCli(['--json', 'rotate', '--due'], t.env);
    expect(due.code).toBe(0);
    expect(due.json<{ items: Array<{ name: string; overdue: boolean }> }>().items).toEqual([expect.objectContaining({ name: 'old-client', overdue: true })]);
    const check = await runCli(['rotate', '--due', '--check'], t.env);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/old-client.*OVERDUE/);
    const ahead = await runCli(['--json', 'rotate', '--due', '--at', '2099-01-01'], t.env);
    expect(ahead.json<{ items: Array<{ name: string }> }>().items.map((i) => i.name)).toEqual(['old-client', 'fresh-server']);
    expect((await runCli(['rotate'], t.env)).code).toBe(2);
    expect((await runCli(['rotate', 'fresh-server', '--stage', '--promote'], t.env)).code).toBe(2);
    expect((await runCli(['rotate', '--due', '--at', 'next week'], t.env)).code).toBe(2);
  });

  it('schedule --ics writes a calendar that ical.js reads: one event per due date', async () => {
    const file = join(dir, 'rotations.ics');
    const result = await runCli(['schedule', '--ics', file], t.env);
    expect(result.code).toBe(0);
    const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, 'utf8')));
    const events = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(events.map((e) => e.summary)).toEqual(['Rotate old-client', 'Rotate fresh-server']);
    expect(events[0]!.startDate.toString()).toBe('2020-01-31');
    expect(events[0]!.description).toContain('curvekeep rotate old-client --stage');
  });

  it('runs a whole rotation, one process per step, with the live test against a pyzmq server', async () => {
    // A client key: the server admits its pending key (a server key's own flow: server-key.test.ts).
    await generateIdentity(t.ws, { name: 'fresh-client', role: 'client' });
    const server = generateKeyPair();
    const allow = join(dir, 'allow');
    const stage = await runCli(['--json', 'rotate', 'fresh-client', '--stage'], t.env);
    expect(stage.code).toBe(0);
    const pendingKey = stage.json<{ publicKey: string }>().publicKey;

    // A new process sees the rotation in progress.
    const show = await runCli(['--json', 'keys', 'show', 'fresh-client'], t.env);
    expect(show.json<{ pending: { publicKey: string } }>().pending.publicKey).toBe(pendingKey);
    const status = await runCli(['rotate', 'fresh-client'], t.env);
    expect(status.stdout).toMatch(/ROTATION IN PROGRESS \(staged\)/);
    // The next steps come from core as data; the CLI words them as the commands to run.
    expect(status.stdout).toContain('next: curvekeep rotate fresh-client --distribute --out DIR');
    expect(status.stdout).toContain('  or: curvekeep rotate fresh-client --test ENDPOINT --peer SERVER');
    expect(status.stdout).toContain('  or: curvekeep rotate fresh-client --rollback');
    const refused = await runCli(['rotate', 'fresh-client', '--promote'], t.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no passing live test/);
    expect(refused.stderr).toContain('curvekeep rotate fresh-client --promote --force');

    const distributed = await runCli(['rotate', 'fresh-client', '--distribute', '--out', allow, '--format', 'pyzmq'], t.env);
    expect(distributed.code).toBe(0);
    expect(readdirSync(allow).sort()).toEqual(['.curvekeep-owned.json', 'fresh-client.gen1.key', 'fresh-client.gen2.key', 'fresh-client.gen2.png']);
    const router = await startFolderRouter(server, allow);
    try {
      const tested = await runCli(['--json', 'rotate', 'fresh-client', '--test', router.endpoint, '--server-key', server.publicKey, '--timeout', '4000'], t.env);
      expect(tested.code).toBe(0);
      expect(tested.json<{ result: { verdict: string }; stage: string }>()).toMatchObject({ result: { verdict: 'ok' }, stage: 'tested' });
    } finally {
      await router.stop();
    }
    expect((await runCli(['rotate', 'fresh-client', '--promote', '--grace', '2'], t.env)).code).toBe(0);
    const early = await runCli(['rotate', 'fresh-client', '--finish'], t.env);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/grace period/);
    const back = await runCli(['--json', 'rotate', 'fresh-client', '--rollback'], t.env);
    expect(back.code).toBe(0);
    expect(back.json<{ undone: string; identity: { generation: number } }>()).toMatchObject({ undone: 'promoted', identity: { generation: 1 } });
  });

  it('rotates a TLS pin set: the backup pin becomes active and a new backup pin is required', async () => {
    const pin = () => `sha256/${randomBytes(32).toString('base64')}`;
    const [active, backup, next] = [pin(), pin(), pin()];
    await setPinSet(t.ws, { host: 'api.example.com', pins: [active], backupPins: [backup] });
    const missing = await runCli(['rotate', '--pin-set', 'api.example.com'], t.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--new-backup-pin/);
    const rotated = await runCli(['--json', 'rotate', '--pin-set', 'api.example.com', '--new-backup-pin', next], t.env);
    expect(rotated.code).toBe(0);
    expect(rotated.json<{ pins: string[]; backupPins: string[] }>()).toMatchObject({ pins: [backup], backupPins: [next] });
  });
});
