// `curvekeep pins ...` as scripts use it: real processes against openssl s_server and the keychain.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { GOOD_NAME, type Pki, type RunningServer, buildPki, closedPort, openssl, opensslPin, startBlackHole, startOpensslServer } from '../../helpers/pki/pki.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let pki: Pki;
let t: TestWorkspace;
const servers: RunningServer[] = [];

beforeAll(() => {
  pki = buildPki();
  t = testWorkspace('cli-pins');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await t?.cleanup();
  pki?.remove();
});

async function serve(leaf: keyof Pki['leaves'], extra: string[] = ['-tls1_3']): Promise<number> {
  const server = await startOpensslServer(pki.leaves[leaf], pki.intermediateCert, extra);
  servers.push(server);
  return server.port;
}

interface Check {
  ok: boolean;
  findings: { check: string; severity: string; message: string }[];
  pins: { verdict: string; message: string; matched: { role: string } | null };
}

describe('curvekeep pins', () => {
  it('compute --cert: the chain of a bundle with the OpenSSL pins; garbage exits 2', async () => {
    const r = await runCli(['--json', 'pins', 'compute', '--cert', pki.leaves.ed25519.bundle], t.env);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<{ certificates: { role: string; pin: string }[] }>();
    expect(out.certificates).toEqual([
      expect.objectContaining({ role: 'leaf', pin: opensslPin(pki.leaves.ed25519.cert) }),
      expect.objectContaining({ role: 'intermediate', pin: opensslPin(pki.intermediateCert) }),
    ]);
    const text = await runCli(['pins', 'compute', '--cert', pki.leaves.rsa.cert], t.env);
    expect(text.stdout).toContain(opensslPin(pki.leaves.rsa.cert));
    const csr = await runCli(['pins', 'compute', '--cert', join(pki.dir, 'ec384.csr')], t.env);
    expect(csr.stdout.trim()).toBe(opensslPin(pki.leaves.ec384.cert));

    const garbage = join(pki.dir, 'garbage.pem');
    writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    const bad = await runCli(['--json', 'pins', 'compute', '--cert', garbage], t.env);
    expect(bad.code).toBe(2);
    expect(bad.json<{ ok: false; error: { code: string } }>().error.code).toBe('invalid-input');
    expect((await runCli(['pins', 'compute', '--cert', join(pki.dir, 'missing.pem')], t.env)).code).toBe(2);
    expect((await runCli(['pins', 'compute'], t.env)).code).toBe(2);
  });

  it('compute --cert: a subject that is not ASCII comes out as UTF-8, in JSON and in the table', async () => {
    // CLI output is written as latin1 when it is ASCII (a copy, not an encoding): a name outside
    // ASCII must still come out as its UTF-8 bytes.
    const key = join(pki.dir, 'utf8.key');
    const cert = join(pki.dir, 'utf8.pem');
    openssl(['req', '-x509', '-utf8', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/O=Zürich Wärme AG/CN=станция-7.invalid']);
    const json = await runCli(['--json', 'pins', 'compute', '--cert', cert], t.env);
    expect(json.code, json.stderr).toBe(0);
    const [leaf] = json.json<{ certificates: { subject: string; pin: string }[] }>().certificates;
    expect(leaf!.subject).toContain('Zürich Wärme AG');
    expect(leaf!.subject).toContain('станция-7.invalid');
    expect(leaf!.pin).toBe(opensslPin(cert));
    const table = await runCli(['pins', 'compute', '--cert', cert], t.env);
    expect(table.stdout).toContain('станция-7.invalid');
  });

  it('compute --host: the live chain, the same pin as openssl s_client', async () => {
    const port = await serve('ec256');
    const r = await runCli(['--json', 'pins', 'compute', '--host', `127.0.0.1:${port}`, '--servername', GOOD_NAME, '--ca', pki.rootCert], t.env);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<{ trusted: boolean; certificates: { role: string; pin: string }[] }>();
    expect(out.trusted).toBe(true);
    expect(out.certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root']);
    expect(out.certificates[0]!.pin).toBe(opensslPin(pki.leaves.ec256.cert));
  });

  it('set / list / check / export / remove with exit codes', async () => {
    const port = await serve('ec256');
    const leafPin = opensslPin(pki.leaves.ec256.cert);
    const backup = opensslPin(pki.leaves.ec384.cert);

    // No backup pin: refused (2); malformed pin: 2; nothing stored.
    expect((await runCli(['pins', 'set', GOOD_NAME, '--pin', leafPin], t.env)).code).toBe(2);
    const malformed = await runCli(['pins', 'set', GOOD_NAME, '--pin', 'sha256/AAAA', '--backup-pin', backup], t.env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('decodes to 3 bytes');
    expect((await runCli(['--json', 'pins', 'list'], t.env)).json()).toEqual([]);

    // A backup pin the server presents now (its intermediate) is no backup.
    const live = await runCli(['pins', 'set', GOOD_NAME, '--pin', leafPin, '--backup-pin', opensslPin(pki.intermediateCert), '--check-live', `127.0.0.1:${port}`], t.env);
    expect(live.code).toBe(2);
    expect(live.stderr).toContain('in the chain the server presents now');

    const set = await runCli(['pins', 'set', GOOD_NAME, '--check-live', `127.0.0.1:${port}`, '--pin', leafPin, '--backup-pin', `pin-sha256="${backup.slice(7)}"`, '--expires', '2030-06-30'], t.env);
    expect(set.code, set.stderr).toBe(0);
    const list = await runCli(['--json', 'pins', 'list'], t.env);
    expect(list.json()).toEqual([expect.objectContaining({ host: GOOD_NAME, pins: [leafPin], backupPins: [backup], expires: '2030-06-30', expired: false })]);

    const pass = await runCli(['--json', 'pins', 'check', `127.0.0.1:${port}`, '--servername', GOOD_NAME, '--ca', pki.rootCert], t.env);
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    expect(pass.json<Check>()).toMatchObject({ ok: true, pins: { verdict: 'match', matched: { role: 'leaf' } } });

    // The server moves to a key nobody pinned: mismatch, exit 1, the chain listed.
    const other = await serve('rsa');
    const fail = await runCli(['pins', 'check', `127.0.0.1:${other}`, '--servername', GOOD_NAME, '--ca', pki.rootCert], t.env);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain('Certificate pinning failure!');
    expect(fail.stdout).toContain(opensslPin(pki.leaves.rsa.cert));
    expect(fail.stdout).toContain(leafPin);

    const curl = await runCli(['pins', 'export', GOOD_NAME, '--format', 'curl'], t.env);
    expect(curl.stdout.trim()).toBe(`sha256//${leafPin.slice(7)};sha256//${backup.slice(7)}`);
    const android = await runCli(['pins', 'export', GOOD_NAME, '--format', 'android'], t.env);
    expect(android.stdout).toContain('<pin-set expiration="2030-06-30">');
    expect((await runCli(['pins', 'export', GOOD_NAME, '--format', 'nginx'], t.env)).code).toBe(2);
    expect((await runCli(['pins', 'export', 'nowhere.test', '--format', 'json'], t.env)).code).toBe(2);

    expect((await runCli(['pins', 'remove', GOOD_NAME], t.env)).code).toBe(0);
    expect((await runCli(['--json', 'pins', 'list'], t.env)).json()).toEqual([]);
    // A dozen CLI processes and four TLS connections per check: generous on a shared two-core machine.
  }, 120_000);

  it('check: a weak server exits 1 (legacy TLS, untrusted chain); a good one 0', async () => {
    const legacy = await serve('rsa', ['-cipher', 'DEFAULT@SECLEVEL=0']);
    const weak = await runCli(['--json', 'pins', 'check', `127.0.0.1:${legacy}`, '--servername', GOOD_NAME, '--ca', pki.rootCert], t.env);
    expect(weak.code).toBe(1);
    expect(weak.json<Check>().findings).toContainEqual(expect.objectContaining({ check: 'legacy-tls1.0', severity: 'warning' }));

    const good = await serve('ed25519');
    const untrusted = await runCli(['pins', 'check', `127.0.0.1:${good}`, '--servername', GOOD_NAME], t.env);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toMatch(/ERROR\s+chain-trust/);
    const fine = await runCli(['pins', 'check', `127.0.0.1:${good}`, '--servername', GOOD_NAME, '--ca', pki.rootCert], t.env);
    expect(fine.code, fine.stdout).toBe(0);
    expect(fine.stdout).toMatch(/info\s+pins\s+no pin set applies/);
  });

  it('check: a closed port and a black hole exit 1 with a clear message', async () => {
    const closed = await runCli(['pins', 'check', `127.0.0.1:${await closedPort()}`], t.env);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/refused: nothing listens there/);
    const hole = await startBlackHole();
    servers.push(hole);
    const silent = await runCli(['pins', 'compute', '--host', `127.0.0.1:${hole.port}`, '--timeout', '800'], t.env);
    expect(silent.code).toBe(1);
    expect(silent.stderr).toMatch(/no TLS handshake .* within 0\.8 s/);
    expect((await runCli(['pins', 'check', 'no-port-here'], t.env)).code).toBe(2);
    const badCa = await runCli(['pins', 'check', `127.0.0.1:${hole.port}`, '--ca', join(pki.dir, 'index.txt')], t.env);
    expect(badCa.code).toBe(2);
    expect(badCa.stderr).toContain('--ca file');
  });

  it('set --from-live needs --yes and a backup pin', async () => {
    const port = await serve('ec384');
    const live = ['pins', 'set', GOOD_NAME, '--from-live', `127.0.0.1:${port}`, '--ca', pki.rootCert];
    const noBackup = await runCli(live, t.env);
    expect(noBackup.code).toBe(2);
    expect(noBackup.stderr).toContain('backup pin');
    const backup = opensslPin(pki.leaves.rsa.cert);
    const unconfirmed = await runCli([...live, '--backup-pin', backup], t.env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain(opensslPin(pki.leaves.ec384.cert));
    expect(unconfirmed.stderr).toContain('--yes');
    const confirmed = await runCli(['--json', ...live, '--backup-pin', backup, '--yes'], t.env);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.json()).toMatchObject({ host: GOOD_NAME, pins: [opensslPin(pki.leaves.ec384.cert)], backupPins: [backup] });
    await runCli(['pins', 'remove', GOOD_NAME], t.env);
  });

  it('backup-key prints the pin and a CSR that OpenSSL verifies; the key is in the keychain only', async () => {
    const r = await runCli(['--json', 'pins', 'backup-key', 'mqtt.example.com', '--csr-subject', 'CN=mqtt.example.com, O=Acme'], t.env);
    expect(r.code, r.stderr).toBe(0);
    const key = r.json<{ id: string; pin: string; csrPem: string; keychainAccount: string; algorithm: string }>();
    expect(key.algorithm).toBe('ec-p256');
    const csr = join(pki.dir, 'cli-backup.csr');
    writeFileSync(csr, key.csrPem);
    openssl(['req', '-in', csr, '-verify', '-noout']);
    expect(opensslPin(pki.issue(csr, 'cli-backup'))).toBe(key.pin);
    const secret = await t.keychain.get(key.keychainAccount);
    expect(secret).toBeTruthy();
    expect(r.stdout).not.toContain(secret!.slice(0, 32));
    for (const file of ['curvekeep.json', 'audit.jsonl']) expect(readFileSync(join(t.home, file), 'utf8')).not.toContain(secret!.slice(0, 32));

    const text = await runCli(['pins', 'backup-key', 'mqtt.example.com', '--rsa'], t.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/pin: sha256\/\S{44}/);
    expect(text.stdout).toContain('-----BEGIN CERTIFICATE REQUEST-----');
    expect((await runCli(['pins', 'backup-key', 'mqtt.example.com', '--csr-subject', 'garbage'], t.env)).code).toBe(2);
  });
});
