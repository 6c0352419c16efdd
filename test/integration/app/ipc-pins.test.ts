// The pins channels through the one dispatcher, against a real TLS server (Node's) on 127.0.0.1
// and the real keychain: what the Pins view calls, with the arguments it sends.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type Pki, type RunningServer, buildPki, opensslPin, startNodeTlsServer } from '../../helpers/pki/pki.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let pki: Pki;
let server: RunningServer;
let tws: TestWorkspace;
let ipc: IpcCaller;

const call = (channel: string, args: unknown) => ipc.call(channel, args);
const ok = (channel: string, args: unknown) => ipc.ok(channel, args);

beforeAll(async () => {
  pki = buildPki();
  server = await startNodeTlsServer(pki.leaves.ec256, null);
  tws = testWorkspace('ipc-pins');
  ipc = ipcCaller(tws);
});

afterAll(async () => {
  await server?.stop();
  await tws?.cleanup();
  pki?.remove();
});

describe('pins channels', () => {
  it('computes the pins of an uploaded certificate file as openssl does', async () => {
    const bytes = readFileSync(pki.leaves.ec256.bundle);
    const result = await ok('pins.computeFromFile', { fileName: 'bundle.pem', base64: bytes.toString('base64') });
    const certificates = result.certificates as Array<{ role: string; pin: string }>;
    expect(result.kind).toBe('certificate');
    expect(certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate']);
    expect(certificates[0]!.pin).toBe(opensslPin(pki.leaves.ec256.cert));
  });

  it('refuses a file that is not a certificate, and an oversized upload before any handler runs', async () => {
    const bad = await call('pins.computeFromFile', { fileName: 'notes.txt', base64: Buffer.from('hello').toString('base64') });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const huge = await call('pins.computeFromFile', { fileName: 'big.pem', base64: 'A'.repeat(400_000) });
    expect(huge).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
  });

  it('reads the live chain, saves a set only with a backup pin, and checks it', async () => {
    const live = await ok('pins.computeFromHost', { endpoint: `127.0.0.1:${server.port}`, timeoutMs: 5000 });
    const leafPin = (live.certificates as Array<{ pin: string }>)[0]!.pin;
    expect(leafPin).toBe(opensslPin(pki.leaves.ec256.cert));

    const noBackup = await call('pins.saveSet', { host: '127.0.0.1', pins: [leafPin], backupPins: [] });
    expect(noBackup).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });

    const backup = await ok('pins.createBackupKey', { host: '127.0.0.1' });
    expect(JSON.stringify(backup)).not.toMatch(/PRIVATE KEY/);
    const saved = await ok('pins.saveSet', { host: '127.0.0.1', pins: [leafPin], backupPins: [backup.pin] });
    expect(saved.replaced).toBe(false);

    const report = await ok('pins.check', { endpoint: `127.0.0.1:${server.port}`, legacy: false, timeoutMs: 5000 });
    expect((report.pins as { verdict: string }).verdict).toBe('match');
    // A private root the machine does not trust: the report says so as an error finding.
    expect(report.findings).toContainEqual(expect.objectContaining({ check: 'chain-trust', severity: 'error' }));

    const listed = await ok('pins.listSets', {});
    expect((listed.sets as Array<{ host: string }>).map((s) => s.host)).toEqual(['127.0.0.1']);
    const exported = await ok('pins.export', { host: '127.0.0.1', format: 'curl' });
    expect(exported.text).toContain(`sha256//${leafPin.slice(7)}`);
  });

  it('reports a mismatch with the chain pins beside the pinned ones', async () => {
    const other = await ok('pins.createBackupKey', { host: 'localhost' });
    const spare = await ok('pins.createBackupKey', { host: 'localhost' });
    await ok('pins.saveSet', { host: 'localhost', pins: [other.pin], backupPins: [spare.pin] });
    const report = await ok('pins.check', { endpoint: `localhost:${server.port}`, legacy: false, timeoutMs: 5000 });
    const pins = report.pins as { verdict: string; pinned: string[]; chain: Array<{ pin: string }> };
    expect(pins.verdict).toBe('mismatch');
    expect(pins.pinned).toEqual([other.pin, spare.pin]);
    expect(pins.chain[0]!.pin).toBe(opensslPin(pki.leaves.ec256.cert));
    expect(report.ok).toBe(false);
  });

  it('the app and the CLI give the same findings and verdict for the same endpoint (one use case)', async () => {
    const { runCli } = await import('../../helpers/cli.js');
    const endpoint = `127.0.0.1:${server.port}`;
    const app = await ok('pins.check', { endpoint, legacy: true, timeoutMs: 5000 });
    const cli = await runCli(['--json', 'pins', 'check', endpoint, '--timeout', '5000'], tws.env);
    const fromCli = cli.json<{ ok: boolean; findings: Array<Record<string, unknown>>; pins: { verdict: string } }>();
    // The CLI adds its words (message, advice) to the same data.
    const data = fromCli.findings.map(({ message: _m, advice: _a, ...rest }) => rest);
    expect(data).toEqual(app.findings);
    expect(fromCli.ok).toBe(app.ok);
    expect(fromCli.pins.verdict).toBe((app.pins as { verdict: string }).verdict);
    expect(cli.code).toBe(app.ok ? 0 : 1);
  });

  it('a set of CA pins only: the curl export is refused with a typed error, OkHttp gets it', async () => {
    const { opensslPin: pinOf } = await import('../../helpers/pki/pki.js');
    const live = await ok('pins.computeFromHost', { endpoint: `127.0.0.1:${server.port}`, timeoutMs: 5000 });
    expect(live.legacyOnly).toBe(false);
    const backup = await ok('pins.createBackupKey', { host: 'ca-only.test' });
    const { setPinSet } = await import('../../../src-main/core/pins/pin-set.js');
    const intermediate = pinOf(pki.intermediateCert);
    const chain = [{ role: 'intermediate' as const, subject: 'CN=int', issuer: 'CN=root', validFrom: '', validTo: '', serialNumber: '1', keyType: 'ec P-256', keyBits: 256, signatureAlgorithm: 'sha256WithRSAEncryption', revocationInfo: false, selfIssued: false, pin: intermediate }];
    await setPinSet(tws.ws, { host: 'ca-only.test', pins: [intermediate], backupPins: [backup.pin as string], liveChain: chain });
    const curl = await call('pins.export', { host: 'ca-only.test', format: 'curl' });
    expect(curl).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringMatching(/curl checks only leaf keys/) } });
    const okhttp = await ok('pins.export', { host: 'ca-only.test', format: 'okhttp' });
    expect(okhttp.text).toContain(intermediate);
    expect(okhttp).toMatchObject({ pinnableRoles: ['leaf', 'intermediate', 'root'], excluded: [] });
  });

  it('times out on a port that never answers TLS', async () => {
    const { startBlackHole } = await import('../../helpers/pki/pki.js');
    const hole = await startBlackHole();
    try {
      const outcome = await call('pins.computeFromHost', { endpoint: `127.0.0.1:${hole.port}`, timeoutMs: 300 });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'network' } });
    } finally {
      await hole.stop();
    }
  });
});
