// The connection to a workspace: verified TLS required for a TCP host (refused before any byte is
// sent otherwise), a Unix socket accepted without TLS, a wrong CA or pin refused, faults reported
// as exit 3 within the connect timeout, and `workspace status` showing TLS and the schema.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStoreUrl, redactStoreUrl, spkiPin, WorkspaceTlsRequiredError, WorkspaceUrlError } from '../../../src-main/core/team/connection.js';
import { runCli } from '../../helpers/cli.js';
import { startBlackHole, startPlaintextServer } from '../../helpers/pki/pki.js';
import { initTestWorkspace, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

let pg: TestPostgres;
let home: string;
let env: NodeJS.ProcessEnv;

interface StatusJson {
  server: string;
  kind: string;
  tls: { encrypted: boolean; verified: boolean; protocol: string | null; cipher: string | null; serverPin: string | null; pinned: boolean };
  schemaVersion: number | null;
  revision: number | null;
  login: string;
  role: string;
}

beforeAll(async () => {
  pg = await startPostgres();
  home = mkdtempSync(join(tmpdir(), 'curvekeep-db-conn-'));
  env = { ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_STORE: '', PGPASSWORD: '' };
  await initTestWorkspace(pg, { alice: 'admin', tom: 'tech' });
});

afterAll(async () => {
  await pg?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the store URL and the TLS rule', () => {
  it('accepts a TCP host only with sslmode=verify-full and an existing sslrootcert', () => {
    const good = parseStoreUrl(pg.url('tom'));
    expect(good).toMatchObject({ kind: 'tcp', host: '127.0.0.1', port: pg.port, database: 'curvekeep', login: 'tom', caFile: pg.caFile, connectTimeoutMs: 5000 });
    for (const sslmode of ['disable', 'allow', 'prefer', 'require', 'verify-ca', null]) {
      expect(() => parseStoreUrl(pg.url('tom', undefined, { sslmode })), String(sslmode)).toThrow(WorkspaceTlsRequiredError);
    }
    expect(() => parseStoreUrl(pg.url('tom', undefined, { sslrootcert: null }))).toThrow(/sslrootcert=FILE/);
    expect(() => parseStoreUrl(pg.url('tom', undefined, { sslrootcert: join(home, 'missing.pem') }))).toThrow(/does not exist/);
    expect(() => parseStoreUrl('mysql://x@127.0.0.1/db')).toThrow(WorkspaceUrlError);
  });

  it('accepts a Unix socket without TLS, and reads connect_timeout, the password and pins', () => {
    expect(parseStoreUrl(pg.socketUrl('tom'))).toMatchObject({ kind: 'socket', host: pg.socketDir, port: pg.port, caFile: null, password: pg.passwordFor('tom') });
    expect(parseStoreUrl(`postgres://tom@${encodeURIComponent(pg.socketDir)}:${pg.port}/curvekeep`)).toMatchObject({ kind: 'socket', host: pg.socketDir });
    expect(parseStoreUrl(pg.url('tom', null, { connect_timeout: '2' }), { env: { PGPASSWORD: 'from-env' } })).toMatchObject({ connectTimeoutMs: 2000, password: 'from-env' });
    const pin = spkiPin(new X509Certificate(readFileSync(pg.serverCert)).raw);
    expect(parseStoreUrl(pg.url('tom', null, { pin })).pins).toEqual([pin]);
    expect(() => parseStoreUrl(pg.url('tom', null, { pin: 'md5/abc' }))).toThrow(WorkspaceUrlError);
    // pins from a pin set, beside the URL's: one list, each pin once
    expect(parseStoreUrl(pg.url('tom', null, { pin }), { pins: [pin, `sha256/${Buffer.alloc(32).toString('base64')}`] }).pins).toHaveLength(2);
  });

  it('never prints a password', () => {
    expect(redactStoreUrl('postgres://tom:s3cret@127.0.0.1:5432/db?sslmode=verify-full')).toBe('postgres://tom:***@127.0.0.1:5432/db?sslmode=verify-full');
    expect(redactStoreUrl('postgres://tom@h/db?password=s3cret&x=1')).toBe('postgres://tom@h/db?password=***&x=1');
    // A raw '@' in the password: parseStoreUrl splits at the last '@', so does the redaction.
    expect(redactStoreUrl('postgres://tom:p@ss@127.0.0.1:5432/db')).toBe('postgres://tom:***@127.0.0.1:5432/db');
    expect(redactStoreUrl('postgres://tom@127.0.0.1:5432/db')).toBe('postgres://tom@127.0.0.1:5432/db');
  });
});

describe('connecting through the CLI', () => {
  it('refuses a TCP URL without verified TLS with exit 2 before connecting', async () => {
    let connections = 0;
    const listener: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    try {
      for (const query of ['sslmode=disable', 'sslmode=require', `sslmode=verify-ca&sslrootcert=${pg.caFile}`, '', 'sslmode=verify-full']) {
        const r = await runCli(['workspace', 'status', '--store', `postgres://tom:${pg.passwordFor('tom')}@127.0.0.1:${port}/curvekeep${query ? `?${query}` : ''}`], env);
        expect(r.code, query).toBe(2);
        expect(r.stderr).toMatch(/verified TLS|sslrootcert=FILE/);
        expect(r.stderr).not.toContain(pg.passwordFor('tom'));
      }
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
  });

  it('refuses a server whose certificate the CA file does not vouch for, or whose key is not pinned', async () => {
    // A CA file holding an unrelated self-signed certificate: the real server cannot chain to it.
    const wrongCa = await runCli(['workspace', 'status', '--store', pg.url('tom', undefined, { sslrootcert: pg.pki.leaves.selfSigned.cert })], env);
    expect(wrongCa.code).toBe(2);
    expect(wrongCa.stderr).toContain(`the workspace at 127.0.0.1:${pg.port} could not be verified over TLS`);
    expect(wrongCa.stderr).not.toContain(pg.passwordFor('tom'));
    const wrongPin = await runCli(['workspace', 'status', '--store', pg.url('tom', undefined, { pin: `sha256/${Buffer.alloc(32).toString('base64')}` })], env);
    expect(wrongPin.code).toBe(2);
    expect(wrongPin.stderr).toMatch(/match none of the pins given/);
    // the server never saw a password: no failed login in its log
    expect(pg.log()).not.toMatch(/password authentication failed for user "tom"/);
  });

  it('a port that is not PostgreSQL with TLS is refused (exit 2), nothing sent', async () => {
    const plain = await startPlaintextServer();
    try {
      const r = await runCli(['workspace', 'status', '--store', `postgres://tom:${pg.passwordFor('tom')}@127.0.0.1:${plain.port}/curvekeep?sslmode=verify-full&sslrootcert=${pg.caFile}`], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`the workspace at 127.0.0.1:${plain.port} could not be verified over TLS (the server does not offer TLS`);
    } finally {
      await plain.stop();
    }
  });

  it('reports TLS as negotiated and verified, the schema version, the login and role', async () => {
    const pin = spkiPin(new X509Certificate(readFileSync(pg.serverCert)).raw);
    const r = await runCli(['--json', 'workspace', 'status', '--store', pg.url('tom', undefined, { pin })], env);
    expect(r.stderr).toBe('');
    const s = r.json<StatusJson>();
    expect(s).toMatchObject({ server: `127.0.0.1:${pg.port}`, kind: 'tcp', schemaVersion: 1, revision: 0, login: 'tom', role: 'tech' });
    expect(s.tls).toMatchObject({ encrypted: true, verified: true, pinned: true, serverPin: pin });
    expect(s.tls.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(s.tls.cipher).toBeTruthy();
    const text = await runCli(['workspace', 'status', '--store', pg.url('alice')], env);
    expect(text.stdout).toMatch(/^tls:\s+TLSv1\.[23] \S+, certificate verified \(verify-full\)$/m);
    expect(text.stdout).toMatch(/^schema:\s+1$/m);
    expect(text.stdout).toMatch(/^you:\s+alice \(admin\), signing key not yet registered$/m);
  });

  it('accepts a pin of the chain\'s intermediate, as a pin set of CA pins would', async () => {
    const intermediatePin = spkiPin(new X509Certificate(readFileSync(pg.pki.intermediateCert)).raw);
    const r = await runCli(['--json', 'workspace', 'status', '--store', pg.url('tom', undefined, { pin: intermediatePin })], env);
    expect(r.stderr).toBe('');
    expect(r.json<StatusJson>().tls.pinned).toBe(true);
  });

  it('takes the store from CURVEKEEP_STORE and the password from PGPASSWORD', async () => {
    const r = await runCli(['--json', 'workspace', 'status'], { ...env, CURVEKEEP_STORE: pg.url('tom', null), PGPASSWORD: pg.passwordFor('tom') });
    expect(r.stderr).toBe('');
    expect(r.json<StatusJson>().login).toBe('tom');
  });

  it('accepts a Unix socket without TLS', async () => {
    const r = await runCli(['--json', 'workspace', 'status', '--store', pg.socketUrl('tom')], env);
    expect(r.stderr).toBe('');
    expect(r.json<StatusJson>()).toMatchObject({ kind: 'socket', login: 'tom', role: 'tech', schemaVersion: 1, tls: { encrypted: false, verified: false } });
  });

  it('a wrong password is exit 2 and never echoed', async () => {
    const r = await runCli(['workspace', 'members', '--store', pg.url('tom', 'not-the-password-42')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refused the login tom');
    expect(r.stderr).not.toContain('not-the-password-42');
  });

  it('no password anywhere is exit 2 saying so', async () => {
    const r = await runCli(['workspace', 'status', '--store', pg.url('tom', null)], { ...env, HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('asks the login tom for a password and none was given');
  });

  it('a login that is not a member may not even connect (exit 2)', async () => {
    await pg.superuser(`CREATE ROLE stranger LOGIN PASSWORD '${pg.passwordFor('stranger')}'`);
    const r = await runCli(['workspace', 'status', '--store', pg.url('stranger')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the login stranger may not connect to the workspace at 127.0.0.1:${pg.port}: it is not a member`);
  });

  it('a server that accepts TCP but never answers: exit 3 naming host:port and the timeout', async () => {
    const hole = await startBlackHole();
    try {
      const started = Date.now();
      const r = await runCli(['workspace', 'status', '--store', `postgres://tom:${pg.passwordFor('tom')}@127.0.0.1:${hole.port}/curvekeep?sslmode=verify-full&sslrootcert=${pg.caFile}&connect_timeout=1`], env);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`the workspace at 127.0.0.1:${hole.port} did not answer within 1 s`);
      expect(r.stderr).not.toContain(pg.passwordFor('tom'));
      // bounded by the connect timeout, not by the test's own 30 s kill
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await hole.stop();
    }
  });

  it('the database stopped: exit 3 with a clear message; once it is back the next command works', async () => {
    await pg.stopServer();
    try {
      const tcp = await runCli(['workspace', 'members', '--store', pg.url('tom')], env);
      expect(tcp.code).toBe(3);
      expect(tcp.stderr).toContain(`the workspace at 127.0.0.1:${pg.port} refused the connection (is the database running?)`);
      expect(tcp.stderr).toContain('connect timeout 5 s');
      expect(tcp.stderr).not.toContain(pg.passwordFor('tom'));
      const json = await runCli(['--json', 'workspace', 'status', '--store', pg.socketUrl('tom')], env);
      expect(json.code).toBe(3);
      expect(json.json<{ error: { code: string } }>().error.code).toBe('workspace-unreachable');
    } finally {
      await pg.startServer();
    }
    const back = await runCli(['workspace', 'members', '--store', pg.url('tom')], env);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/^tom\s+tech/m);
  });
});
