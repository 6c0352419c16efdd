// `pins export --format curl` against REAL curl: each exported value is passed to
// `curl --pinnedpubkey "$(curvekeep pins export HOST --format curl)"` against an openssl s_server
// of the test PKI on 127.0.0.1 (`--resolve` maps the name, `--cacert` trusts the private root).
// curl checks the pin against the leaf key only: a set it can check is accepted, a wrong set is
// refused with curl's exit 90, and a set of CA pins only is refused by the export itself (exit 2).
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { GOOD_NAME, type Pki, type RunningServer, buildPki, opensslPin, startOpensslServer } from '../../helpers/pki/pki.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

/** curl's exit code for "SSL public key does not match pinned public key". */
const CURL_PINNED_PUBKEY_MISMATCH = 90;

let pki: Pki;
let t: TestWorkspace;
let server: RunningServer;

beforeAll(async () => {
  pki = buildPki();
  t = testWorkspace('curl-export');
  server = await startOpensslServer(pki.leaves.ec256, pki.intermediateCert, ['-tls1_3']);
});

afterAll(async () => {
  await server?.stop();
  await t?.cleanup();
  pki?.remove();
});

/** Real curl against the test server with the pin value; resolves to curl's exit code. */
function curl(pinnedPubkey: string): Promise<{ code: number; stderr: string }> {
  const args = [
    '--silent',
    '--show-error',
    '--output',
    '/dev/null',
    '--max-time',
    '10',
    '--resolve',
    `${GOOD_NAME}:${server.port}:127.0.0.1`,
    '--cacert',
    pki.rootCert,
    '--pinnedpubkey',
    pinnedPubkey,
    `https://${GOOD_NAME}:${server.port}/`,
  ];
  return new Promise((resolve) => {
    execFile('curl', args, { timeout: 15_000 }, (error, _stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stderr });
    });
  });
}

async function exportCurl(): Promise<{ code: number; value: string; stderr: string }> {
  const r = await runCli(['pins', 'export', GOOD_NAME, '--format', 'curl'], t.env);
  // What "$(...)" does: the output without its trailing newline.
  return { code: r.code, value: r.stdout.replace(/\n+$/, ''), stderr: r.stderr };
}

async function pinSet(args: ReadonlyArray<string>): Promise<void> {
  const r = await runCli(['pins', 'set', GOOD_NAME, ...args], t.env);
  expect(r.code, r.stderr).toBe(0);
}

const leaf = () => opensslPin(pki.leaves.ec256.cert);
const stranger = () => opensslPin(pki.leaves.ec384.cert);
const spare = () => opensslPin(pki.leaves.ed25519.cert);

describe('curl --pinnedpubkey "$(curvekeep pins export HOST --format curl)"', { timeout: 90_000 }, () => {
  it('the value of a leaf pin set is accepted by curl', async () => {
    expect((await curl(`sha256//${leaf().slice(7)}`)).code).toBe(0);
    await pinSet(['--pin', leaf(), '--backup-pin', spare()]);
    const exported = await exportCurl();
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.value).toBe(`sha256//${leaf().slice(7)};sha256//${spare().slice(7)}`);
    // Set without a live chain: nobody knows the pin's role, and the export says so.
    expect(exported.stderr).toContain('1 active pin(s) of unknown role');
    expect(await curl(exported.value)).toEqual({ code: 0, stderr: '' });
  });

  it('the server moved to the backup key: the backup pin in the same value is accepted', async () => {
    await pinSet(['--pin', stranger(), '--backup-pin', leaf()]);
    const exported = await exportCurl();
    expect(exported.code).toBe(0);
    expect((await curl(exported.value)).code).toBe(0);
  });

  it('a set for other keys is refused by curl (exit 90)', async () => {
    await pinSet(['--pin', stranger(), '--backup-pin', spare()]);
    const exported = await exportCurl();
    expect(exported.code).toBe(0);
    const refused = await curl(exported.value);
    expect(refused.code).toBe(CURL_PINNED_PUBKEY_MISMATCH);
    expect(refused.stderr).toMatch(/pinned public key/i);
  });

  it('a set pinning only the intermediate: pins check matches, but the curl export is refused (exit 2) and names why; OkHttp gets it', async () => {
    const live = ['--from-live', `127.0.0.1:${server.port}`, '--servername', GOOD_NAME, '--ca', pki.rootCert, '--backup-pin', spare(), '--yes'];
    await pinSet([...live, '--roles', 'intermediate']);
    const check = await runCli(['--json', 'pins', 'check', `127.0.0.1:${server.port}`, '--servername', GOOD_NAME, '--ca', pki.rootCert, '--no-legacy'], t.env);
    expect(check.json<{ pins: { verdict: string; matched: { role: string } } }>().pins).toMatchObject({ verdict: 'match', matched: { role: 'intermediate' } });

    const exported = await exportCurl();
    expect(exported.code).toBe(2);
    expect(exported.value).toBe('');
    expect(exported.stderr).toMatch(/all intermediate \(CA\) pins, and curl checks only leaf keys/);
    const json = await runCli(['--json', 'pins', 'export', GOOD_NAME, '--format', 'curl'], t.env);
    expect(json.code).toBe(2);
    expect(json.json()).toMatchObject({ ok: false, error: { code: 'refused' } });
    // What the old export produced for this set: curl refuses it although the pin "matches".
    expect((await curl(`sha256//${opensslPin(pki.intermediateCert).slice(7)};sha256//${spare().slice(7)}`)).code).toBe(CURL_PINNED_PUBKEY_MISMATCH);

    const okhttp = await runCli(['pins', 'export', GOOD_NAME, '--format', 'okhttp'], t.env);
    expect(okhttp.code).toBe(0);
    expect(okhttp.stdout).toContain(opensslPin(pki.intermediateCert));
  });

  it('a set pinning leaf and intermediate: the curl value carries the leaf and the backup only, and curl accepts it', async () => {
    const live = ['--from-live', `127.0.0.1:${server.port}`, '--servername', GOOD_NAME, '--ca', pki.rootCert, '--backup-pin', spare(), '--yes'];
    await pinSet([...live, '--roles', 'leaf,intermediate']);
    const exported = await exportCurl();
    expect(exported.code).toBe(0);
    expect(exported.value).toBe(`sha256//${leaf().slice(7)};sha256//${spare().slice(7)}`);
    expect(exported.stderr).toContain('left out 1 intermediate pin(s)');
    expect((await curl(exported.value)).code).toBe(0);
    const json = await runCli(['--json', 'pins', 'export', GOOD_NAME, '--format', 'curl'], t.env);
    expect(json.json()).toMatchObject({ format: 'curl', pinnableRoles: ['leaf'], excluded: [{ pin: opensslPin(pki.intermediateCert), role: 'intermediate' }], unknownRoles: [] });
  });
});
