// Bulk provisioning of a few thousand devices with bad rows, checked by the tools that will read
// the output: CZMQ (zcert_load, zcertstore), pyzmq (load_certificate, a ThreadAuthenticator over
// the allowlist folder) and Curvekeep's own link test; then a rerun that must change nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { parseCertFile } from '../../../src-main/core/formats/cert-file.js';
import { decodeQrImage } from '../../../src-main/core/formats/qr/decode.js';
import { generateIdentity, identityKeyPair } from '../../../src-main/core/identities/identities.js';
import { testLink } from '../../../src-main/core/link/curve-test.js';
import { type ProvisionResult, provisionDevices } from '../../../src-main/core/provisioning/provision.js';
import { startFolderRouter } from '../../helpers/rotation/folder-router.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const CZMQ_CHECK = fileURLToPath(new URL('../../helpers/rotation/czmq_check.py', import.meta.url));
const DEVICES = 2000;

function python(args: ReadonlyArray<string>, code?: string): string {
  return execFileSync('/usr/bin/python3', code ? ['-c', code, ...args] : args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function snapshot(dir: string): Map<string, { mtimeMs: number; text: string }> {
  const files = new Map<string, { mtimeMs: number; text: string }>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const info = statSync(path);
      if (info.isDirectory()) walk(path);
      else files.set(path, { mtimeMs: info.mtimeMs, text: readFileSync(path, 'latin1') });
    }
  };
  walk(dir);
  return files;
}

describe('provision a fleet', () => {
  let t: TestWorkspace;
  let out: string;
  let csvPath: string;
  let first: ProvisionResult;
  const ownKey = generateKeyPair();
  const progress: number[] = [];
  let inputRows = 0;

  beforeAll(async () => {
    t = testWorkspace('provision');
    out = mkdtempSync(join(tmpdir(), 'curvekeep-provision-out-'));
    await generateIdentity(t.ws, { name: 'plant-broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
    const lines = ['name,endpoint,tags,public_key,location'];
    for (let i = 0; i < DEVICES; i++) lines.push(`sensor-${String(i).padStart(4, '0')},,plant-3;line-${i % 4},,hall ${i % 9}`);
    lines.push('sensor-0007,,,,duplicate name'); // fails: duplicate
    lines.push(',tcp://127.0.0.9:5555,,,no name'); // fails: missing name
    lines.push('bad-key,,,not-a-z85-key,malformed key'); // fails: malformed key
    lines.push('bad-endpoint,http//nowhere,,,bad endpoint'); // fails: bad endpoint
    lines.push(`own-key-gateway,tcp://127.0.0.7:5555,gateway,${ownKey.publicKey},made its own key`);
    inputRows = lines.length - 1;
    csvPath = join(out, 'devices.csv');
    writeFileSync(csvPath, `${lines.join('\r\n')}\r\n`);
    first = await provisionDevices(t.ws, { csvPath, serverRef: 'plant-broker', outDir: join(out, 'fleet'), onProgress: ({ done }) => progress.push(done) });
  }, 120_000);

  afterAll(async () => {
    await t.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('fails only the bad rows, with their reasons, and writes one result line per input row', () => {
    expect(first.total).toBe(inputRows);
    expect(first.ok).toBe(DEVICES + 1);
    expect(first.failed).toBe(4);
    const results = parse(readFileSync(join(out, 'fleet', 'results.csv')), { columns: true }) as Array<Record<string, string>>;
    expect(results).toHaveLength(inputRows);
    const failed = Object.fromEntries(results.filter((r) => r.status === 'failed').map((r) => [r.row, r.reason]));
    expect(failed[String(DEVICES + 2)]).toMatch(/duplicate name: row 9 has it already/);
    expect(failed[String(DEVICES + 3)]).toMatch(/name is missing/);
    expect(failed[String(DEVICES + 4)]).toMatch(/public_key/);
    expect(failed[String(DEVICES + 5)]).toMatch(/endpoint/);
    expect(results[0]).toMatchObject({ row: '2', name: 'sensor-0000', status: 'ok', reason: '' });
    expect(progress.at(-1)).toBe(inputRows);
  });

  it('writes bundles that CZMQ and pyzmq load, with the secret 0600 and none for a device with its own key', () => {
    const fleet = join(out, 'fleet');
    const names = ['sensor-0000', 'sensor-1234', `sensor-${String(DEVICES - 1).padStart(4, '0')}`];
    for (const name of names) {
      const dir = join(fleet, 'devices', name);
      expect(readdirSync(dir).sort()).toEqual([`${name}.cert`, `${name}.cert_secret`, `${name}.png`, 'config.json', 'plant-broker.cert'].sort());
      expect(statSync(join(dir, `${name}.cert_secret`)).mode & 0o777).toBe(0o600);
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      const secret = parseCertFile(readFileSync(join(dir, `${name}.cert_secret`), 'utf8'), name).secretKey!;
      expect(JSON.stringify(config)).not.toContain(secret);
      expect(config).toMatchObject({ name, endpoint: 'tcp://127.0.0.1:5555', publicKey: first.rows.find((r) => r.name === name)!.publicKey });
      expect(decodeQrImage(readFileSync(join(dir, `${name}.png`)), name)).not.toMatch(/secret/);
    }
    const czmq = JSON.parse(python([CZMQ_CHECK, 'cert', ...names.map((n) => join(fleet, 'devices', n, `${n}.cert`))])) as Array<{ public: string; secret: string | null }>;
    const py = JSON.parse(python(names.map((n) => join(fleet, 'devices', n, `${n}.cert_secret`)),
      'import sys, json, zmq.auth\nprint(json.dumps([[k.decode() if k else None for k in zmq.auth.load_certificate(p)] for p in sys.argv[1:]]))')) as Array<[string, string]>;
    names.forEach((name, i) => {
      const expected = first.rows.find((r) => r.name === name)!.publicKey;
      expect(czmq[i]!.public).toBe(expected);
      expect(czmq[i]!.secret).toBe(py[i]![1]);
      expect(py[i]![0]).toBe(expected);
    });
    const own = join(fleet, 'devices', 'own-key-gateway');
    expect(readdirSync(own).sort()).toEqual(['config.json', 'own-key-gateway.cert', 'own-key-gateway.png', 'plant-broker.cert'].sort());
    expect(parseCertFile(readFileSync(join(own, 'own-key-gateway.cert'), 'utf8'), 'own').publicKey).toBe(ownKey.publicKey);
  });

  it('writes an allowlist folder that zcertstore and pyzmq read whole, and a manifest without secrets', () => {
    const allow = join(out, 'fleet', 'allowlist');
    expect(readdirSync(allow).filter((n) => n.endsWith('.key'))).toHaveLength(DEVICES + 1);
    const keys = first.rows.filter((r) => r.status === 'ok').map((r) => r.publicKey!);
    const count = python([allow], 'import sys, zmq.auth\nprint(len(zmq.auth.load_certificates(sys.argv[1])))');
    expect(Number(count)).toBe(DEVICES + 1);
    const stranger = generateKeyPair().publicKey;
    const store = JSON.parse(python([CZMQ_CHECK, 'store', allow, keys[0]!, keys[1500]!, ownKey.publicKey, stranger])) as { found: boolean[] };
    expect(store.found).toEqual([true, true, true, false]);
    const manifest = JSON.parse(readFileSync(join(out, 'fleet', 'manifest.json'), 'utf8')) as { devices: Array<{ name: string; publicKey: string; safetyCode: string }>; server: { name: string } };
    expect(manifest.server.name).toBe('plant-broker');
    expect(manifest.devices).toHaveLength(DEVICES + 1);
    expect(manifest.devices[0]!.safetyCode).toMatch(/^\d{5}( \d{5}){5}$/);
    expect(readFileSync(join(out, 'fleet', 'manifest.json'), 'utf8')).not.toMatch(/secret-key/);
  });

  it('records the devices (not peers) of the server and one batch, in one store update', async () => {
    const { data } = await t.ws.store.read();
    expect(data.peers).toHaveLength(0);
    const server = data.identities.find((i) => i.name === 'plant-broker')!;
    expect(data.devices).toHaveLength(DEVICES + 1);
    expect(data.devices.every((d) => d.state === 'active' && d.server === server.id)).toBe(true);
    expect(data.batches).toHaveLength(1);
    const batch = data.batches[0]!;
    expect(batch).toMatchObject({ server: server.id, outDir: join(out, 'fleet'), csvName: basename(csvPath), counts: { rows: inputRows, ok: DEVICES + 1, skipped: 0, failed: 4 } });
    expect(batch.failed).toHaveLength(4);
    expect(batch.failed.every((f) => f.reason.length > 0 && f.row > 0)).toBe(true);
    expect(data.devices.every((d) => d.batch === batch.id)).toBe(true);
    expect(data.devices.find((d) => d.name === 'sensor-0042')!.bundleDir).toBe(join(out, 'fleet', 'devices', 'sensor-0042'));
    expect(data.identities.map((i) => i.name)).toEqual(['plant-broker']);
    expect((await t.keychain.accounts()).filter((a) => a.startsWith('identity:'))).toHaveLength(1);
    const entries = await t.ws.store.auditEntries();
    expect(entries.at(-1)).toMatchObject({ action: 'provision.completed', details: { ok: DEVICES + 1, failed: 4 } });
  });

  it('gives a pyzmq server using the allowlist folder a key it admits from a bundle, and it refuses a stranger', async () => {
    const server = await identityKeyPair(t.ws, 'plant-broker');
    const router = await startFolderRouter(server, join(out, 'fleet', 'allowlist'));
    try {
      const device = parseCertFile(readFileSync(join(out, 'fleet', 'devices', 'sensor-0042', 'sensor-0042.cert_secret'), 'utf8'), 'device');
      const ok = await testLink({ endpoint: router.endpoint, serverKey: server.publicKey, client: { publicKey: device.publicKey, secretKey: device.secretKey! }, timeoutMs: 4000 });
      expect(ok.verdict).toBe('ok');
      const stranger = generateKeyPair();
      const refused = await testLink({ endpoint: router.endpoint, serverKey: server.publicKey, client: stranger, timeoutMs: 4000 });
      expect(refused.verdict).toBe('rejected');
    } finally {
      await router.stop();
    }
  });

  it('reruns idempotently: every device skipped, no bundle file touched, no device added', async () => {
    const before = snapshot(join(out, 'fleet', 'devices'));
    const allowBefore = snapshot(join(out, 'fleet', 'allowlist'));
    const devicesBefore = (await t.ws.store.read()).data.devices.length;
    const again = await provisionDevices(t.ws, { csvPath, serverRef: 'plant-broker', outDir: join(out, 'fleet') });
    expect(again).toMatchObject({ ok: 0, skipped: DEVICES + 1, failed: 4, devicesAdded: 0 });
    expect(snapshot(join(out, 'fleet', 'devices'))).toEqual(before);
    expect(snapshot(join(out, 'fleet', 'allowlist'))).toEqual(allowBefore);
    expect((await t.ws.store.read()).data.devices.length).toBe(devicesBefore);
    expect((await t.ws.store.read()).data.peers.length).toBe(0);
    const results = parse(readFileSync(join(out, 'fleet', 'results.csv')), { columns: true }) as Array<Record<string, string>>;
    expect(results).toHaveLength(inputRows);
    expect(results.filter((r) => r.status === 'skipped')).toHaveLength(DEVICES + 1);
  }, 60_000);

  it("reruns into another folder: every device skipped, and the server's whole allowlist written there", async () => {
    const copy = join(out, 'fleet-copy');
    const again = await provisionDevices(t.ws, { csvPath, serverRef: 'plant-broker', outDir: copy });
    expect(again).toMatchObject({ ok: 0, skipped: DEVICES + 1, failed: 4, devicesAdded: 0 });
    const allow = join(copy, 'allowlist');
    const names = readdirSync(allow).filter((n) => n.endsWith('.key')).sort();
    expect(names).toEqual(readdirSync(join(out, 'fleet', 'allowlist')).filter((n) => n.endsWith('.key')).sort());
    expect(readdirSync(allow).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const keys = first.rows.filter((r) => r.status === 'ok').map((r) => r.publicKey!);
    expect(Number(python([allow], 'import sys, zmq.auth\nprint(len(zmq.auth.load_certificates(sys.argv[1])))'))).toBe(DEVICES + 1);
    const store = JSON.parse(python([CZMQ_CHECK, 'store', allow, keys[0]!, keys[1999]!, ownKey.publicKey, generateKeyPair().publicKey])) as { found: boolean[] };
    expect(store.found).toEqual([true, true, true, false]);
    // Written once: a third run there leaves the files as they are.
    const before = snapshot(allow);
    await provisionDevices(t.ws, { csvPath, serverRef: 'plant-broker', outDir: copy });
    expect(snapshot(allow)).toEqual(before);
  }, 60_000);

  it('puts back allowlist files deleted by hand on a rerun, with the same keys', async () => {
    const allow = join(out, 'fleet', 'allowlist');
    const before = new Map(readdirSync(allow).filter((n) => n.endsWith('.key')).map((n) => [n, readFileSync(join(allow, n), 'utf8')]));
    const gone = [...before.keys()].filter((_, i) => i % 3 === 0);
    for (const name of gone) rmSync(join(allow, name));
    const again = await provisionDevices(t.ws, { csvPath, serverRef: 'plant-broker', outDir: join(out, 'fleet') });
    expect(again).toMatchObject({ ok: 0, skipped: DEVICES + 1, devicesAdded: 0 });
    const after = new Map(readdirSync(allow).filter((n) => n.endsWith('.key')).map((n) => [n, readFileSync(join(allow, n), 'utf8')]));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const name of gone) expect(parseCertFile(after.get(name)!, name).publicKey).toBe(parseCertFile(before.get(name)!, name).publicKey);
    expect(Number(python([allow], 'import sys, zmq.auth\nprint(len(zmq.auth.load_certificates(sys.argv[1])))'))).toBe(DEVICES + 1);
  }, 60_000);

  it('reruns past damaged bundles: a named pipe, garbage or nothing in place of a certificate fails its row alone', async () => {
    const cert = (name: string): string => join(out, 'fleet', 'devices', name, `${name}.cert`);
    rmSync(cert('sensor-0001'));
    execFileSync('mkfifo', [cert('sensor-0001')]);
    writeFileSync(cert('sensor-0002'), 'not a certificate\n');
    rmSync(cert('sensor-0003'));
    const again = await provisionDevices(t.ws, { csvPath, serverRef: 'plant-broker', outDir: join(out, 'fleet') });
    expect(again).toMatchObject({ ok: 0, skipped: DEVICES - 2, failed: 4 + 3, devicesAdded: 0 });
    for (const name of ['sensor-0001', 'sensor-0002', 'sensor-0003']) {
      const row = again.rows.find((r) => r.name === name)!;
      expect(row.status).toBe('failed');
      expect(row.reason).toMatch(new RegExp(`bundle folder exists but is damaged .*remove .*${name} and run again`));
    }
    expect(again.rows.find((r) => r.name === 'sensor-0001')!.reason).toMatch(/named pipe/);
    expect(again.rows.find((r) => r.name === 'sensor-0003')!.reason).toMatch(/no such file/);
    expect(again.rows.find((r) => r.name === 'sensor-0004')!.status).toBe('skipped');
  }, 60_000);
});

describe('provision --keep-secrets', () => {
  let t: TestWorkspace;
  let out: string;

  beforeAll(async () => {
    t = testWorkspace('provision-keep');
    out = mkdtempSync(join(tmpdir(), 'curvekeep-provision-keep-'));
    await generateIdentity(t.ws, { name: 'broker', role: 'server' });
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('keeps each made secret in the keychain as a device identity, and none for a device with its own key', async () => {
    const own = generateKeyPair();
    writeFileSync(join(out, 'd.csv'), `\uFEFFName,Endpoint,Tags,Public Key\nvalve-1,tcp://127.1.0.1:7000,valve,\nvalve-2,tcp://127.1.0.2:7000,,\npump-1,tcp://127.1.0.3:7000,,${own.publicKey}\n`);
    const result = await provisionDevices(t.ws, { csvPath: join(out, 'd.csv'), serverRef: 'broker', outDir: join(out, 'fleet'), keepSecrets: true });
    expect(result).toMatchObject({ ok: 3, failed: 0, secretsKept: 2 });
    const { data } = await t.ws.store.read();
    const devices = data.identities.filter((i) => i.role === 'device');
    expect(devices.map((d) => d.name).sort()).toEqual(['valve-1', 'valve-2']);
    for (const name of ['valve-1', 'valve-2']) {
      const pair = await identityKeyPair(t.ws, name);
      const bundle = parseCertFile(readFileSync(join(out, 'fleet', 'devices', name, `${name}.cert_secret`), 'utf8'), name);
      expect(pair.secretKey).toBe(bundle.secretKey);
    }
    expect(data.devices.find((d) => d.name === 'valve-1')).toMatchObject({ tags: ['valve'], keptSecret: true });
    expect(data.devices.find((d) => d.name === 'pump-1')).toMatchObject({ keptSecret: false });
    expect(data.peers).toHaveLength(0);
  });

  it('refuses a server it does not know, and a CSV without a name column, changing nothing', async () => {
    writeFileSync(join(out, 'n.csv'), 'device,endpoint\nx,tcp://127.0.0.1:5\n');
    await expect(provisionDevices(t.ws, { csvPath: join(out, 'd.csv'), serverRef: 'nobody', outDir: join(out, 'none') })).rejects.toThrow(/no identity or peer "nobody"/);
    await expect(provisionDevices(t.ws, { csvPath: join(out, 'n.csv'), serverRef: 'broker', outDir: join(out, 'none') })).rejects.toThrow(/no "name" column/);
    expect(readdirSync(out)).not.toContain('none');
  });
});
