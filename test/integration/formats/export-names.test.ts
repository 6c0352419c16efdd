// `keys export X --format pyzmq|zcert --secret --out NAME...` writes the file pair the target
// ecosystem looks for (issue 12): pyzmq NAME.key + NAME.key_secret (what ironhouse loads),
// zcert NAME.cert + NAME.cert_secret (CZMQ's zcert_save/zcert_load: PATH and PATH_secret).
// Each pair is loaded with the real pyzmq (zmq.auth.load_certificate) and the real CZMQ (ctypes).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const PYTHON = '/usr/bin/python3';
const CZMQ_CHECK = fileURLToPath(new URL('../../helpers/rotation/czmq_check.py', import.meta.url));

let t: TestWorkspace;
let dir: string;
let publicKey: string;

/** pyzmq's loader, as ironhouse uses it: (public, secret) of one file. */
function pyzmqLoad(path: string): { public: string; secret: string | null } {
  const script = 'import json,sys,zmq.auth\np,s=zmq.auth.load_certificate(sys.argv[1])\nprint(json.dumps({"public":p.decode(),"secret":s.decode() if s else None}))';
  return JSON.parse(execFileSync(PYTHON, ['-c', script, path], { encoding: 'utf8', timeout: 10_000 })) as { public: string; secret: string | null };
}

function czmqLoad(path: string): { public: string; secret: string | null } {
  const [cert] = JSON.parse(execFileSync(PYTHON, [CZMQ_CHECK, 'cert', path], { encoding: 'utf8', timeout: 10_000 })) as Array<{ public: string; secret: string | null }>;
  return cert!;
}

async function exportTo(sub: string, format: string, out: string): Promise<string[]> {
  const folder = join(dir, sub);
  execFileSync('mkdir', ['-p', folder]);
  const result = await runCli(['--json', 'keys', 'export', 'gateway', '--format', format, '--secret', '--out', join(folder, out)], t.env);
  expect(result.code, result.stderr).toBe(0);
  return readdirSync(folder).sort();
}

beforeAll(async () => {
  t = testWorkspace('export-names');
  dir = mkdtempSync(join(tmpdir(), 'curvekeep-export-names-'));
  const made = await runCli(['--json', 'keys', 'generate', '--name', 'gateway', '--role', 'server'], t.env);
  expect(made.code, made.stderr).toBe(0);
  publicKey = made.json<{ publicKey: string }>().publicKey;
});

afterAll(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('export file names follow the target ecosystem', () => {
  test.each(['server.key_secret', 'server.key'])('pyzmq --out %s: server.key + server.key_secret, loaded by pyzmq', async (out) => {
    const sub = `pyzmq-${out}`;
    expect(await exportTo(sub, 'pyzmq', out)).toEqual(['server.key', 'server.key_secret']);
    const pub = pyzmqLoad(join(dir, sub, 'server.key'));
    expect(pub).toEqual({ public: publicKey, secret: null });
    const pair = pyzmqLoad(join(dir, sub, 'server.key_secret'));
    expect(pair.public).toBe(publicKey);
    expect(pair.secret).toMatch(/^[0-9A-Za-z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/);
  });

  test.each(['server.cert', 'server.cert_secret'])('zcert --out %s: server.cert + server.cert_secret, loaded by CZMQ and pyzmq', async (out) => {
    const sub = `zcert-${out}`;
    expect(await exportTo(sub, 'zcert', out)).toEqual(['server.cert', 'server.cert_secret']);
    // zcert_load(PATH) reads PATH and, beside it, PATH_secret.
    const loaded = czmqLoad(join(dir, sub, 'server.cert'));
    expect(loaded.public).toBe(publicKey);
    expect(loaded.secret).not.toBeNull();
    expect(pyzmqLoad(join(dir, sub, 'server.cert_secret')).secret).toBe(loaded.secret);
  });

  test('zcert --out server (no extension): CZMQ zcert_save names, server + server_secret', async () => {
    expect(await exportTo('zcert-bare', 'zcert', 'server')).toEqual(['server', 'server_secret']);
    expect(czmqLoad(join(dir, 'zcert-bare', 'server')).public).toBe(publicKey);
  });

  test('public only, --out server.key_secret: the public file is server.key, nothing named _secret', async () => {
    const folder = join(dir, 'public-only');
    execFileSync('mkdir', ['-p', folder]);
    const result = await runCli(['keys', 'export', 'gateway', '--format', 'pyzmq', '--out', join(folder, 'server.key_secret')], t.env);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(folder)).toEqual(['server.key']);
    expect(existsSync(join(folder, 'server.key_secret'))).toBe(false);
  });
});
