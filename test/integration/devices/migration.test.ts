// A data folder written by the first release (schema 1, provisioned devices as peers) is read by
// this one: the peers provisioning made become devices of their server, and the next write
// stores schema 2. The document stays sealed throughout (no outside-edit alarm).
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { STORE_SEAL_ACCOUNT } from '../../../src-main/core/store/accounts.js';
import { runCli } from '../../helpers/cli.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

describe('schema 1 data folder', () => {
  let t: TestWorkspace;
  beforeAll(async () => {
    t = testWorkspace('devices-migrate');
    const gw = await generateIdentity(t.ws, { name: 'gw', role: 'server', endpoints: ['tcp://127.0.0.1:7000'] });
    // Rewrite the document as the first release wrote it: no devices or batches, provisioned
    // devices as allowed peers tagged `provisioned`, sealed as schema 1.
    const file = join(t.home, 'curvekeep.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { revision: number; data: Record<string, unknown> };
    const at = new Date().toISOString();
    const peer = (id: string, name: string, endpoint: string, provisioned: boolean) => ({
      id, name, publicKey: generateKeyPair().publicKey, endpoints: [endpoint], tags: provisioned ? ['site', 'provisioned'] : [], allowed: true, createdAt: at,
      ...(provisioned ? { source: 'provision' } : {}), verification: { state: 'verified', at, by: 'provisioning (key made here)' },
    });
    const { devices: _d, batches: _b, ...rest } = doc.data;
    const data = { ...rest, peers: [peer('peer_aaaaaaaaaaaa', 'sensor-1', 'tcp://127.0.0.1:7000', true), peer('peer_bbbbbbbbbbbb', 'sensor-2', 'tcp://127.0.0.1:7000', true), peer('peer_cccccccccccc', 'partner', 'tcp://127.0.0.1:9', false)] };
    const body = JSON.stringify(data);
    const key = Buffer.from((await t.keychain.get(STORE_SEAL_ACCOUNT))!, 'base64');
    const seal = createHmac('sha256', key).update(`curvekeep-store\n1\n${doc.revision}\n`).update(body).digest('hex');
    writeFileSync(file, `{"format":"curvekeep-store","schema":1,"revision":${doc.revision},"seal":"${seal}","data":${body}}\n`);
    expect(gw.name).toBe('gw');
  });
  afterAll(() => t.cleanup());

  it('lists the provisioned peers as devices of their server, and the others as peers', async () => {
    const devices = await runCli(['--json', 'devices', 'list'], t.env);
    expect(devices.code, devices.stderr).toBe(0);
    expect(devices.json<{ devices: Array<{ id: string; name: string; serverName: string; batch: string | null; tags: string[] }> }>().devices).toEqual([
      expect.objectContaining({ id: 'dev_aaaaaaaaaaaa', name: 'sensor-1', serverName: 'gw', batch: null, tags: ['site'] }),
      expect.objectContaining({ id: 'dev_bbbbbbbbbbbb', name: 'sensor-2', serverName: 'gw', batch: null }),
    ]);
    const peers = (await runCli(['--json', 'peers', 'list'], t.env)).json<Array<{ name: string }>>();
    expect(peers.map((p) => p.name)).toEqual(['partner']);
    // Read-only commands leave the file at schema 1; the ids are the same on every read.
    expect(JSON.parse(readFileSync(join(t.home, 'curvekeep.json'), 'utf8')).schema).toBe(1);
    expect((await runCli(['--json', 'devices', 'show', 'dev_aaaaaaaaaaaa'], t.env)).code).toBe(0);
  });

  it('writes schema 2 at the next change, and the doctor finds nothing wrong', async () => {
    const removed = await runCli(['devices', 'remove', 'sensor-2', '--yes'], t.env);
    expect(removed.code, removed.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(t.home, 'curvekeep.json'), 'utf8')) as { schema: number; data: { devices: Array<{ name: string; state: string }>; peers: unknown[] } };
    expect(doc.schema).toBe(2);
    expect(doc.data.devices.map((d) => [d.name, d.state])).toEqual([['sensor-1', 'active'], ['sensor-2', 'removed']]);
    expect(doc.data.peers).toHaveLength(1);
    const doctor = await runCli(['doctor'], t.env);
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
  });
});
