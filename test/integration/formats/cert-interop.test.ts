// Certificate files against the real readers and writers: pyzmq 24 (zmq.auth) and CZMQ 4.2
// (libczmq.so.4 through Python ctypes), both run as /usr/bin/python3 processes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivePublicKey, generateKeyPair, type SecretKey } from '../../../src-main/core/curve/keys.js';
import { RefusedError } from '../../../src-main/core/errors.js';
import { formatCertFile, parseCertFile, writeCertFiles, type CertFlavour } from '../../../src-main/core/formats/cert-file.js';

const CERTTOOL = fileURLToPath(new URL('../../fixtures/formats/certtool.py', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const FORTY_ZEROES = '0'.repeat(40);

/** Runs certtool.py with the system Python (which has pyzmq and can load libczmq). */
function certtool<T>(...args: string[]): T {
  const run = spawnSync('/usr/bin/python3', [CERTTOOL, ...args], { encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`certtool ${args[0]} failed (${run.status ?? run.signal}): ${run.stderr}`);
  const result = JSON.parse(run.stdout) as T & { error?: string };
  if (result.error) throw new Error(`certtool ${args[0]}: ${result.error}`);
  return result;
}

interface Loaded {
  readonly public: string;
  readonly secret: string | null;
  readonly meta?: Record<string, string>;
}

let home: string;
let counter = 0;
const freshDir = (create = false): string => {
  const dir = join(home, `d${++counter}`);
  if (create) mkdirSync(dir);
  return dir;
};

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'curvekeep-formats-'));
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('files we write load in pyzmq and CZMQ', () => {
  it.each(['zcert', 'pyzmq'] as const)('%s flavour, public and secret', async (flavour: CertFlavour) => {
    const pair = generateKeyPair();
    const metadata = { name: 'gateway-07', organization: 'Example Field Ops', endpoint: 'tcp://127.0.0.7:5555' };
    const dir = freshDir();
    const { publicPath, secretPath } = await writeCertFiles(dir, 'gateway-07', { ...pair, metadata }, flavour, { secret: true });
    expect(secretPath).toBe(`${publicPath}_secret`);

    expect(certtool<Loaded>('pyzmq-load', publicPath)).toEqual({ public: pair.publicKey, secret: null });
    expect(certtool<Loaded>('pyzmq-load', secretPath!)).toEqual({ public: pair.publicKey, secret: pair.secretKey });

    // zcert_load reads NAME_secret when it exists, so this reads the secret file.
    expect(certtool<Loaded>('czmq-load', publicPath)).toEqual({ public: pair.publicKey, secret: pair.secretKey, meta: metadata });

    const publicOnly = freshDir();
    const written = await writeCertFiles(publicOnly, 'gateway-07', { ...pair, metadata }, flavour, { secret: false });
    expect(written.secretPath).toBeNull();
    expect(readdirSync(publicOnly)).toEqual([flavour === 'zcert' ? 'gateway-07.cert' : 'gateway-07.key']);
    expect(readFileSync(written.publicPath, 'utf8')).not.toContain(pair.secretKey);
    expect(certtool<Loaded>('czmq-load', written.publicPath)).toEqual({ public: pair.publicKey, secret: FORTY_ZEROES, meta: metadata });
  });

  it('a folder of our public files is an allowlist for CZMQ zcertstore and pyzmq load_certificates', async () => {
    const pairs = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    const zcertDir = freshDir();
    const pyzmqDir = freshDir();
    for (const [i, pair] of pairs.entries()) {
      await writeCertFiles(zcertDir, `device-${i}`, { ...pair, metadata: { name: `device-${i}` } }, 'zcert', { secret: false });
      await writeCertFiles(pyzmqDir, `device-${i}`, { ...pair, metadata: { name: `device-${i}` } }, 'pyzmq', { secret: false });
    }
    const stranger = generateKeyPair().publicKey;
    expect(certtool<{ found: boolean[] }>('czmq-store', zcertDir, ...pairs.map((p) => p.publicKey), stranger).found).toEqual([true, true, true, false]);
    expect(certtool<{ keys: string[] }>('pyzmq-store', pyzmqDir).keys).toEqual(pairs.map((p) => p.publicKey).sort());
  });
});

describe('files pyzmq and CZMQ write load here', () => {
  it('pyzmq create_certificates', () => {
    const dir = freshDir(true);
    certtool('pyzmq-create', dir, 'py-made', 'name=py-made', 'owner=ops team');
    const pub = parseCertFile(readFileSync(join(dir, 'py-made.key'), 'utf8'), 'py-made.key');
    const secret = parseCertFile(readFileSync(join(dir, 'py-made.key_secret'), 'utf8'), 'py-made.key_secret');
    expect(pub.secretKey).toBeNull();
    expect(secret.publicKey).toBe(pub.publicKey);
    expect(secret.metadata).toEqual({ name: 'py-made', owner: 'ops team' });
    expect(certtool<Loaded>('pyzmq-load', join(dir, 'py-made.key_secret'))).toEqual({ public: pub.publicKey, secret: secret.secretKey });
  });

  it('CZMQ zcert_save', () => {
    const path = join(freshDir(true), 'c-made.cert');
    const saved = certtool<{ rc: number; public: string; secret: string }>('czmq-save', path, 'name=c-made', 'organization=Example Field Ops');
    expect(saved.rc).toBe(0);
    const pub = parseCertFile(readFileSync(path, 'utf8'), 'c-made.cert');
    const secret = parseCertFile(readFileSync(`${path}_secret`, 'utf8'), 'c-made.cert_secret');
    expect(pub).toEqual({ publicKey: saved.public, secretKey: null, metadata: { name: 'c-made', organization: 'Example Field Ops' } });
    expect(secret).toEqual({ ...pub, secretKey: saved.secret });
    // Our writer, given the same time, reproduces CZMQ's file byte for byte.
    const text = readFileSync(path, 'utf8');
    const stamp = /Generated on (\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+) by CZMQ/.exec(text)!.slice(1).map(Number);
    const now = new Date(stamp[0]!, stamp[1]! - 1, stamp[2]!, stamp[3]!, stamp[4]!, stamp[5]!);
    expect(formatCertFile(secret, 'zcert', { secret: false, now })).toBe(text);
    expect(formatCertFile(secret, 'zcert', { secret: true, now })).toBe(readFileSync(`${path}_secret`, 'utf8'));
  });
});

describe('public keys derived here equal libzmq\'s zmq_curve_public', () => {
  it('for each fixture secret', () => {
    const secrets = ['czmq/gateway-07.cert_secret', 'czmq/plant-3-broker.cert_secret', 'pyzmq/field-laptop.key_secret', 'pyzmq/sensor-0042.key_secret'].map(
      (file) => parseCertFile(readFileSync(join(FIXTURES, file), 'utf8'), file).secretKey!,
    );
    const theirs = certtool<{ public: string[] }>('curve-public', ...secrets).public;
    expect(secrets.map(derivePublicKey)).toEqual(theirs);
  });

  it('for 200 key pairs made by pyzmq', () => {
    const pairs = certtool<{ pairs: [string, string][] }>('curve-keypairs', '200').pairs;
    for (const [publicKey, secretKey] of pairs) expect(derivePublicKey(secretKey as SecretKey)).toBe(publicKey);
  });
});

describe('writeCertFiles on disk', () => {
  it('creates the secret file with mode 0600, even under umask 0', async () => {
    const before = process.umask(0);
    try {
      const pair = generateKeyPair();
      const { publicPath, secretPath } = await writeCertFiles(freshDir(), 'mode-check', { ...pair, metadata: {} }, 'zcert', { secret: true });
      expect(statSync(secretPath!).mode & 0o777).toBe(0o600);
      expect(statSync(publicPath).mode & 0o777).toBe(0o644);
    } finally {
      process.umask(before);
    }
    const pair = generateKeyPair();
    const { secretPath } = await writeCertFiles(freshDir(), 'mode-check', { ...pair, metadata: {} }, 'pyzmq', { secret: true });
    expect(statSync(secretPath!).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite, leaving every existing file as it was and no temporary file behind', async () => {
    const dir = freshDir();
    const first = generateKeyPair();
    const { publicPath, secretPath } = await writeCertFiles(dir, 'gw', { ...first, metadata: {} }, 'zcert', { secret: true });
    const before = [readFileSync(publicPath), readFileSync(secretPath!)];
    const second = { ...generateKeyPair(), metadata: {} };
    await expect(writeCertFiles(dir, 'gw', second, 'zcert', { secret: true })).rejects.toThrow(RefusedError);
    await expect(writeCertFiles(dir, 'gw', second, 'zcert', { secret: false })).rejects.toThrow(/gw\.cert exists already; nothing was written/);
    expect([readFileSync(publicPath), readFileSync(secretPath!)]).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['gw.cert', 'gw.cert_secret']);

    // Only the secret file exists: the public one is not written either.
    const lonely = freshDir();
    await writeCertFiles(lonely, 'gw', { ...first, metadata: {} }, 'pyzmq', { secret: true });
    rmSync(join(lonely, 'gw.key'));
    await expect(writeCertFiles(lonely, 'gw', second, 'pyzmq', { secret: true })).rejects.toThrow(/gw\.key_secret exists already/);
    expect(readdirSync(lonely)).toEqual(['gw.key_secret']);

    const replaced = await writeCertFiles(dir, 'gw', second, 'zcert', { secret: true, overwrite: true });
    expect(parseCertFile(readFileSync(replaced.secretPath!, 'utf8'), 'gw').secretKey).toBe(second.secretKey);
    expect(statSync(replaced.secretPath!).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['gw.cert', 'gw.cert_secret']);
  });

  it('refuses a name that would leave the folder', async () => {
    const dir = freshDir();
    const cert = { ...generateKeyPair(), metadata: {} };
    await expect(writeCertFiles(dir, '../escape', cert, 'zcert', { secret: true })).rejects.toThrow(/cannot be a file name/);
    expect(() => readdirSync(dir)).toThrow();
  });
});
