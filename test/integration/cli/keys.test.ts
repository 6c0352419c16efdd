// The `keys` commands as scripts use them: real processes, the real keychain, real pyzmq and CZMQ.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';
import { snapshotFolder } from '../../helpers/snapshot.js';

interface Identity { id: string; name: string; publicKey: string; safetyCode: string }

let t: TestWorkspace;
beforeAll(() => {
  t = testWorkspace('cli-keys');
});
afterAll(async () => t.cleanup());

function python(code: string, ...args: string[]): string {
  return execFileSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8' }).trim();
}

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

describe('curvekeep keys', () => {
  let gateway: Identity;

  it('generates an identity whose secret is in the keychain and nowhere else', async () => {
    const result = await runCli(['--json', 'keys', 'generate', '--name', 'gateway', '--role', 'server', '--endpoint', 'tcp://127.0.0.7:5555'], t.env);
    expect(result.code, result.stderr).toBe(0);
    gateway = result.json<Identity>();
    expect(gateway.publicKey).toHaveLength(40);
    expect(gateway.safetyCode).toMatch(/^(\d{5} ){5}\d{5}$/);
    const accounts = await t.keychain.accounts();
    expect(accounts).toContain(`identity:${gateway.id}:1`);
    const secret = (await t.keychain.get(`identity:${gateway.id}:1`))!;
    expect(secret).toHaveLength(40);
    for (const file of readdirSync(t.home)) expect(readFileSync(join(t.home, file), 'utf8')).not.toContain(secret);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('lists and shows identities as exactly one JSON document', async () => {
    const list = await runCli(['--json', 'keys', 'list'], t.env);
    expect(list.code).toBe(0);
    const identities = list.json<Identity[]>();
    expect(identities.map((i) => i.name)).toContain('gateway');
    const show = await runCli(['keys', 'show', 'gateway'], t.env);
    expect(show.stdout).toContain(gateway.safetyCode);
    expect(show.stdout).toContain('due:');
  });

  it('exports a public zcert that CZMQ and pyzmq load, and a 0600 secret file only on request', async () => {
    const dir = t.home;
    const pub = await runCli(['keys', 'export', 'gateway', '--format', 'zcert'], t.env);
    expect(pub.code).toBe(0);
    expect(pub.stdout).toContain(`public-key = "${gateway.publicKey}"`);
    expect(pub.stdout).not.toContain('secret-key');

    const out = join(dir, 'gateway.cert');
    const secretRun = await runCli(['keys', 'export', 'gateway', '--format', 'zcert', '--secret', '--out', out], t.env);
    expect(secretRun.code, secretRun.stderr).toBe(0);
    expect(statSync(`${out}_secret`).mode & 0o777).toBe(0o600);
    const secret = (await t.keychain.get(`identity:${gateway.id}:1`))!;
    expect(secretRun.stdout).not.toContain(secret);
    const [pyPublic, pySecret] = python('import sys, zmq.auth; p, s = zmq.auth.load_certificate(sys.argv[1]); print(p.decode()); print(s.decode())', `${out}_secret`).split('\n');
    expect(pyPublic).toBe(gateway.publicKey);
    expect(pySecret).toBe(secret);
    const czmq = python(
      'import ctypes, sys\nlib = ctypes.CDLL("libczmq.so.4")\nlib.zcert_load.restype = ctypes.c_void_p\nlib.zcert_public_txt.restype = ctypes.c_char_p\nlib.zcert_public_txt.argtypes = [ctypes.c_void_p]\nc = lib.zcert_load(sys.argv[1].encode())\nprint(lib.zcert_public_txt(c).decode())',
      out,
    );
    expect(czmq).toBe(gateway.publicKey);
  });

  it('refuses a secret export without a file, and a QR with a secret', async () => {
    const noFile = await runCli(['keys', 'export', 'gateway', '--format', 'json', '--secret'], t.env);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/--out/);
    const qr = await runCli(['keys', 'export', 'gateway', '--format', 'qr-svg', '--secret', '--out', join(t.home, 'x.svg')], t.env);
    expect(qr.code).toBe(2);
    expect(qr.stderr).toMatch(/never carries a secret/);
  });

  it.each([
    ['czmq/gateway-07.cert_secret', 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ', 'gateway-07'],
    ['pyzmq/field-laptop.key_secret', '^vYZh+^[o^P9%zlwy2DFeB)AsDZscJz&[BgAUsuj', 'field-laptop'],
  ])('imports %s written by another implementation, moving its secret into the keychain', async (file, publicKey, name) => {
    const result = await runCli(['--json', 'keys', 'import', join(FIXTURES, file)], t.env);
    expect(result.code, result.stderr).toBe(0);
    const identity = result.json<Identity>();
    expect(identity.publicKey).toBe(publicKey);
    expect(identity.name).toBe(name);
    const secret = readFileSync(join(FIXTURES, file), 'utf8').match(/secret-key = "?([^"\n]+)"?/)![1];
    expect(await t.keychain.get(`identity:${identity.id}:1`)).toBe(secret);
  });

  it('imports a secret file from standard input', async () => {
    const text = readFileSync(join(FIXTURES, 'pyzmq/sensor-0042.key_secret'));
    const result = await runCli(['--json', 'keys', 'import', '-', '--name', 'sensor-stdin'], t.env, text);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<Identity>().publicKey).toBe('v[3?5=7:2VbP31+KVGQG@&oqx{}n:=<YWEvnYGXk');
  });

  it('deletes an identity and its keychain item', async () => {
    const made = (await runCli(['--json', 'keys', 'generate', '--name', 'short-lived'], t.env)).json<Identity>();
    expect(await t.keychain.get(`identity:${made.id}:1`)).not.toBeNull();
    expect((await runCli(['keys', 'delete', 'short-lived'], t.env)).code).toBe(2);
    const result = await runCli(['keys', 'delete', 'short-lived', '--yes'], t.env);
    expect(result.code).toBe(0);
    expect(await t.keychain.get(`identity:${made.id}:1`)).toBeNull();
    expect((await runCli(['keys', 'show', made.id], t.env)).code).toBe(2);
  });

  describe('bad input: a clear error, exit 2, and the data folder byte-for-byte unchanged', () => {
    const bad = (name: string, content: string | Buffer): string => {
      const path = join(t.home, '..', `${t.service}-${name}`);
      writeFileSync(path, content);
      return path;
    };
    const secretText = () => readFileSync(join(FIXTURES, 'czmq/plant-3-broker.cert_secret'), 'utf8');
    const cases: Array<[string, () => string[], RegExp]> = [
      ['a truncated secret file', () => ['keys', 'import', bad('trunc', secretText().slice(0, secretText().indexOf('secret-key') + 20))], /secret|key/i],
      ['an oversized file', () => ['keys', 'import', bad('big', Buffer.alloc(2 * 1024 * 1024, 0x41))], /too large/],
      ['a binary file', () => ['keys', 'import', bad('bin', Buffer.from([0, 1, 2, 3, 255, 254, 0, 7]))], /binary|not|invalid/i],
      ['a public file as an identity', () => ['keys', 'import', join(FIXTURES, 'czmq/plant-3-broker.cert')], /no secret key/],
      ['a secret that does not match its public key', () => ['keys', 'import', bad('mismatch', secretText().replace(/public-key = "[^"]+"/, 'public-key = "GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ"'))], /does not/],
      ['a duplicate name', () => ['keys', 'generate', '--name', 'gateway'], /exists already/],
      ['an unknown REF', () => ['keys', 'show', 'nobody'], /no identity with id or name "nobody"/],
      ['a bad name', () => ['keys', 'generate', '--name', '../etc'], /not allowed/],
      ['a bad role', () => ['keys', 'generate', '--name', 'x', '--role', 'king'], /role/],
      ['a missing file', () => ['keys', 'import', '/nonexistent/file'], /no such file/],
    ];
    it.each(cases)('%s', async (_label, args, message) => {
      const before = snapshotFolder(t.home);
      const accounts = (await t.keychain.accounts()).length;
      const result = await runCli(args(), t.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(snapshotFolder(t.home)).toEqual(before);
      expect((await t.keychain.accounts()).length).toBe(accounts);
      const secret = secretText().match(/secret-key = "([^"]+)"/)![1]!;
      expect(result.stderr + result.stdout).not.toContain(secret);
    });
  });

  it('exits 3 with what to do when the keychain cannot be reached', async () => {
    const result = await runCli(['keys', 'list'], { ...t.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/keychain.*unavailable/);
  });

  it('answers --version and --help', async () => {
    const version = await runCli(['--version'], t.env);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version);
    const help = await runCli(['--help'], t.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('keys');
    expect((await runCli(['frobnicate'], t.env)).code).toBe(2);
  });

});
