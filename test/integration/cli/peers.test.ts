// The `peers` commands with files written by CZMQ and pyzmq, QR images made by qrencode, and an
// allowlist folder loaded back by pyzmq.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { runCli } from '../../helpers/cli.js';
import { snapshotFolder } from '../../helpers/snapshot.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

interface Peer { id: string; name: string; publicKey: string; safetyCode: string; allowed: boolean; verification: { state: string } }

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
let t: TestWorkspace;
let scratch: string;
beforeAll(() => {
  t = testWorkspace('cli-peers');
  scratch = `${t.home}-scratch`;
  mkdirSync(scratch);
});
afterAll(async () => {
  await t.cleanup();
  execFileSync('rm', ['-rf', scratch]);
});

describe('curvekeep peers', () => {
  it('adds a peer and verifies its safety code: a match records it, a mismatch exits 1', async () => {
    const added = await runCli(['--json', 'peers', 'add', '--name', 'broker', '--key', 'dvqM9b>lx#Y2qZghP$J2wJLb0a#EM3o^92vC?gK{', '--endpoint', 'tcp://127.0.0.2:5555', '--allow'], t.env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.json<Peer>().safetyCode).toBe('59808 98976 41342 13106 36159 83424');
    const wrong = await runCli(['--json', 'peers', 'verify', 'broker', '--code', '59808 98976 41342 13106 36159 83425'], t.env);
    expect(wrong.code).toBe(1);
    expect(wrong.json<{ match: boolean }>().match).toBe(false);
    const right = await runCli(['--json', 'peers', 'verify', 'broker', '--code', '598089897641342131063615983424', '--by', 'ana'], t.env);
    expect(right.code).toBe(0);
    expect(right.json<{ peer: Peer }>().peer.verification.state).toBe('verified');
  });

  it('refuses to replace a peer\'s key under the same name', async () => {
    const result = await runCli(['peers', 'add', '--name', 'broker', '--key', generateKeyPair().publicKey], t.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/exists already with another public key/);
  });

  it.each([
    ['czmq/gateway-07.cert', 'gateway-07', 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ'],
    ['pyzmq/sensor-0042.key', 'sensor-0042', 'v[3?5=7:2VbP31+KVGQG@&oqx{}n:=<YWEvnYGXk'],
  ])('imports the public file %s', async (file, name, key) => {
    const result = await runCli(['--json', 'peers', 'import', join(FIXTURES, file)], t.env);
    expect(result.code, result.stderr).toBe(0);
    const { added } = result.json<{ added: Peer[] }>();
    expect(added.map((p) => [p.name, p.publicKey])).toEqual([[name, key]]);
  });

  it('refuses a secret file as a peer: a peer\'s secret never leaves its owner', async () => {
    const result = await runCli(['peers', 'import', join(FIXTURES, 'pyzmq/field-laptop.key_secret')], t.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/holds a secret key/);
  });

  it('imports a zcertstore folder, leaving _secret files alone', async () => {
    const dir = join(scratch, 'store');
    mkdirSync(dir);
    copyFileSync(join(FIXTURES, 'czmq/plant-3-broker.cert'), join(dir, 'plant.cert'));
    copyFileSync(join(FIXTURES, 'czmq/plant-3-broker.cert_secret'), join(dir, 'plant.cert_secret'));
    copyFileSync(join(FIXTURES, 'pyzmq/field-laptop.key'), join(dir, 'field-laptop.key'));
    const result = await runCli(['--json', 'peers', 'import', dir], t.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ added: Peer[] }>().added.map((p) => p.name).sort()).toEqual(['field-laptop', 'plant-3-broker']);
  });

  it('imports a CSV inventory all at once, or nothing when a row is bad', async () => {
    const good = join(scratch, 'fleet.csv');
    const keys = [generateKeyPair().publicKey, generateKeyPair().publicKey];
    writeFileSync(good, `name,public_key,endpoint,tags\ncam-1,${keys[0]},tcp://127.1.0.1:5555,yard;north\ncam-2,"${keys[1]}",,\n`);
    const bad = join(scratch, 'bad.csv');
    writeFileSync(bad, `name,public_key\ncam-3,${generateKeyPair().publicKey}\ncam-4,not-a-key\n`);
    const before = snapshotFolder(t.home);
    const refused = await runCli(['peers', 'import', bad], t.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cam-4.*40 Z85 characters/);
    expect(snapshotFolder(t.home)).toEqual(before);
    const result = await runCli(['--json', 'peers', 'import', good], t.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ added: Peer[] }>().added.map((p) => p.publicKey)).toEqual(keys);
  });

  it('imports a QR image made by qrencode, both a payload and a bare key', async () => {
    const key = generateKeyPair().publicKey;
    const payload = `metadata\n    name = "door-5"\n    endpoint = "tcp://127.0.0.5:5555"\ncurve\n    public-key = "${key}"\n`;
    const png = join(scratch, 'door.png');
    execFileSync('qrencode', ['-o', png, '--', payload]);
    const result = await runCli(['--json', 'peers', 'import', png], t.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ added: Peer[] }>().added[0]).toMatchObject({ name: 'door-5', publicKey: key });

    const bare = join(scratch, 'bare.png');
    // One key in 85 begins with '-' (a Z85 character). Given to qrencode without '--', such a key
    // was read as an option and failed this test at random (fresh-clone CI, session 13); it is
    // the key here on purpose, and curvekeep must import it like any other.
    let bareKey = generateKeyPair().publicKey;
    while (!bareKey.startsWith('-')) bareKey = generateKeyPair().publicKey;
    execFileSync('qrencode', ['-o', bare, '--', bareKey]);
    expect((await runCli(['peers', 'import', bare], t.env)).stderr).toMatch(/--name/);
    const named = await runCli(['--json', 'peers', 'import', bare, '--name', 'door-6'], t.env);
    expect(named.json<{ added: Peer[] }>().added[0]!.publicKey).toBe(bareKey);
  });

  it('writes an allowlist folder that pyzmq loads with exactly the allowed keys', async () => {
    expect((await runCli(['peers', 'allow', 'gateway-07'], t.env)).code).toBe(0);
    const dir = join(scratch, 'allow');
    const result = await runCli(['--json', 'peers', 'allowlist', '--out', dir], t.env);
    expect(result.code, result.stderr).toBe(0);
    const loaded = execFileSync('/usr/bin/python3', ['-c', 'import sys, zmq.auth\nfor k in sorted(zmq.auth.load_certificates(sys.argv[1])): print(k.decode())', dir], { encoding: 'utf8' }).trim().split('\n');
    expect(loaded.sort()).toEqual(['GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ', 'dvqM9b>lx#Y2qZghP$J2wJLb0a#EM3o^92vC?gK{'].sort());
    const zcertstore = execFileSync('/usr/bin/python3', ['-c', [
      'import ctypes, sys',
      'lib = ctypes.CDLL("libczmq.so.4")',
      'lib.zcertstore_new.restype = ctypes.c_void_p',
      'lib.zcertstore_lookup.restype = ctypes.c_void_p',
      'lib.zcertstore_lookup.argtypes = [ctypes.c_void_p, ctypes.c_char_p]',
      'store = lib.zcertstore_new(sys.argv[1].encode())',
      'print(" ".join("yes" if lib.zcertstore_lookup(store, k.encode()) else "no" for k in sys.argv[2:]))',
    ].join('\n'), dir, 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ', 'dvqM9b>lx#Y2qZghP$J2wJLb0a#EM3o^92vC?gK{', generateKeyPair().publicKey], { encoding: 'utf8' }).trim();
    expect(zcertstore).toBe('yes yes no');
    // A peer taken off the list disappears from the folder on the next export.
    await runCli(['peers', 'allow', 'gateway-07', '--off'], t.env);
    await runCli(['peers', 'allowlist', '--out', dir], t.env);
    expect(readdirSync(dir).sort()).toEqual(['.curvekeep-owned.json', 'broker.key']);
  });

  it('lists and removes peers; an unknown REF is exit 2', async () => {
    const list = (await runCli(['--json', 'peers', 'list'], t.env)).json<Peer[]>();
    expect(list.length).toBeGreaterThanOrEqual(7);
    expect((await runCli(['peers', 'remove', 'cam-2'], t.env)).code).toBe(0);
    const missing = await runCli(['peers', 'remove', 'cam-2'], t.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no peer with id or name "cam-2"/);
  });

  it.each([
    ['a key of the wrong length', ['peers', 'add', '--name', 'x', '--key', 'abc'], /40 Z85 characters, got 3/],
    ['a key with a bad character', ['peers', 'add', '--name', 'x', '--key', 'dvqM9b>lx#Y2qZghP$J2wJLb0a#EM3o^92vC?gK~'], /position 40/],
    ['a PNG with no QR code', ['peers', 'import', '__blank.png'], /no QR code|QR/],
    ['a garbage file', ['peers', 'import', '__garbage.bin'], /./],
    ['a bad safety code', ['peers', 'verify', 'broker', '--code', '12'], /30 digits/],
  ])('refuses %s with exit 2 and changes nothing', async (_label, args, message) => {
    const { PNG } = await import('pngjs');
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    writeFileSync(join(scratch, '__blank.png'), PNG.sync.write(blank));
    writeFileSync(join(scratch, '__garbage.bin'), Buffer.from('\x00\x01garbage\xff\xfe'.repeat(50), 'latin1'));
    const resolved = args.map((a) => (a.startsWith('__') ? join(scratch, a) : a));
    const before = snapshotFolder(t.home);
    const result = await runCli(resolved, t.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(snapshotFolder(t.home)).toEqual(before);
  });
});
