// A private PostgreSQL 15 cluster for one test file. PostgreSQL refuses to run as root (and the
// tests run as root), so the cluster lives in a temporary folder owned by the `postgres` OS user
// and every server command runs through `runuser -u postgres`. TLS comes from the test PKI (a leaf
// for 127.0.0.1 and localhost, signed by the test root): members connect over `hostssl` with
// scram-sha-256 only; plain TCP is rejected. The server listens on 127.0.0.1 at a free port and on
// a Unix socket in a folder the postgres user owns; nothing else.
//
//   const pg = await startPostgres();          // in beforeAll (initdb + start: a few seconds)
//   pg.ownerUrl                                 // the workspace owner's TLS URL (CREATEROLE, owns the database)
//   pg.url('alice')                             // alice's TLS URL (password: pg.passwordFor('alice'))
//   await pg.psql('alice', 'select 1')          // psql as alice over TLS; never throws, gives code/stdout/stderr
//   await pg.stopServer(); await pg.startServer();  // the server down and back (same port, same data)
//   await pg.stop();                            // in afterAll: stops the server and removes the folder
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pki, buildPki } from './pki/pki.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const OWNER_LOGIN = 'curvekeep_owner';
export const DATABASE = 'curvekeep';
/** Seconds pg_ctl waits for start/stop; every command also has a process timeout. */
const PG_CTL_WAIT_S = 60;
const COMMAND_TIMEOUT_MS = 90_000;

export interface PsqlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestPostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly database: string;
  /** The folder of the Unix socket (owned by the postgres OS user). */
  readonly socketDir: string;
  /** The test root: the CA file clients verify the server with (`sslrootcert`). */
  readonly caFile: string;
  /** The server's own certificate (leaf), e.g. to pin its SPKI. */
  readonly serverCert: string;
  readonly pki: Pki;
  readonly ownerLogin: string;
  readonly ownerPassword: string;
  /** The owner's URL over verified TLS, with its password. */
  readonly ownerUrl: string;
  /** The deterministic test password of a login (what `workspace grant --password-stdin` is given in tests). */
  passwordFor(login: string): string;
  /**
   * A login's URL over verified TLS (`sslmode=verify-full&sslrootcert=CA&connect_timeout=5`).
   * `password` defaults to passwordFor(login); `null` leaves it out. `params` are added or replace the defaults
   * (a value of null removes one).
   */
  url(login: string, password?: string | null, params?: Readonly<Record<string, string | null>>): string;
  /** A login's URL over the Unix socket (no TLS): `postgres://login:pw@/curvekeep?host=SOCKETDIR&port=PORT`. */
  socketUrl(login: string, password?: string | null): string;
  /** Runs SQL with psql as `login` over verified TLS (password: passwordFor(login) unless given). */
  psql(login: string, sql: string, password?: string): Promise<PsqlResult>;
  /** Runs SQL as the cluster's superuser (peer auth over the socket, as the postgres OS user). */
  superuser(sql: string): Promise<PsqlResult>;
  /** Stops the server (fast shutdown); the data stays. */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port and socket. */
  startServer(): Promise<void>;
  restart(): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stops the server and removes every file (cluster, socket folder, PKI). Safe to call twice. */
  stop(): Promise<void>;
}

function run(cmd: string, args: ReadonlyArray<string>, options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<PsqlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { env: options.env ?? process.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? COMMAND_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\n(killed by ${signal})` : ''),
      });
    });
    if (child.stdin) {
      // A process that exits without reading its input must not fail the test with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

function asPostgres(cmd: string, args: ReadonlyArray<string>, timeoutMs = COMMAND_TIMEOUT_MS): Promise<PsqlResult> {
  return run('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { timeoutMs });
}

async function must(result: Promise<PsqlResult>, what: string, log?: () => string): Promise<PsqlResult> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr || r.stdout}${log ? `\n--- server log ---\n${log()}` : ''}`);
  return r;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function chownPostgres(path: string): void {
  execFileSync('chown', ['-R', 'postgres:postgres', path]);
}

/** Clusters still running in this process: stopped (immediately) if the process exits without stop(). */
const running = new Set<{ dataDir: string; root: string }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const cluster of running) {
      try {
        execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', cluster.dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop'], { stdio: 'ignore', timeout: 30_000 });
      } catch {
        // already stopped
      }
      rmSync(cluster.root, { recursive: true, force: true });
    }
  });
}

export async function startPostgres(options: { pki?: Pki } = {}): Promise<TestPostgres> {
  const ownPki = !options.pki;
  const pki = options.pki ?? buildPki();
  const root = mkdtempSync(join(tmpdir(), 'curvekeep-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  const logFile = join(root, 'server.log');
  mkdirSync(socketDir, { mode: 0o755 });
  const superPasswordFile = join(root, 'initdb-password');
  // The superuser's password is never used (peer over the socket), but initdb wants one for scram.
  writeFileSync(superPasswordFile, `super-${process.pid}-${Date.now()}\n`, { mode: 0o600 });
  chownPostgres(root);
  const cluster = { dataDir, root };
  running.add(cluster);
  installExitHook();

  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '(no log)');
  const cleanupFiles = (): void => {
    running.delete(cluster);
    rmSync(root, { recursive: true, force: true });
    if (ownPki) pki.remove();
  };

  try {
    await must(asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--auth-local=peer', '--auth-host=scram-sha-256', `--pwfile=${superPasswordFile}`]), 'initdb');
    rmSync(superPasswordFile);

    const leaf = pki.leaves.ec256;
    copyFileSync(leaf.bundle, join(dataDir, 'server.crt'));
    copyFileSync(leaf.key, join(dataDir, 'server.key'));
    chmodSync(join(dataDir, 'server.key'), 0o600);
    chownPostgres(dataDir);

    let port = await freePort();
    const writeConfig = (): void => writeFileSync(
      join(dataDir, 'postgresql.auto.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${port}`,
        `unix_socket_directories = '${socketDir}'`,
        `unix_socket_permissions = 0777`,
        `ssl = on`,
        `ssl_cert_file = 'server.crt'`,
        `ssl_key_file = 'server.key'`,
        `ssl_min_protocol_version = 'TLSv1.2'`,
        `password_encryption = 'scram-sha-256'`,
        `max_connections = 60`,
        `shared_buffers = '32MB'`,
        `fsync = off`,
        `synchronous_commit = off`,
        `full_page_writes = off`,
        `log_min_messages = warning`,
        `log_connections = off`,
        '',
      ].join('\n'),
    );
    writeConfig();
    // Only: the postgres OS user over the socket (peer), members over the socket (scram) and over
    // TLS on loopback (scram). Plain TCP is rejected outright.
    writeFileSync(
      join(dataDir, 'pg_hba.conf'),
      [
        'local     all  postgres                peer',
        'local     all  all                     scram-sha-256',
        'hostssl   all  all       127.0.0.1/32  scram-sha-256',
        'hostnossl all  all       0.0.0.0/0     reject',
        '',
      ].join('\n'),
    );
    chownPostgres(dataDir);

    const startServer = async (): Promise<void> => {
      await must(asPostgres('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', String(PG_CTL_WAIT_S), 'start']), 'pg_ctl start', log);
    };
    const stopServer = async (): Promise<void> => {
      const status = await asPostgres('pg_ctl', ['-D', dataDir, 'status']);
      if (status.code !== 0) return; // not running
      await must(asPostgres('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', String(PG_CTL_WAIT_S), 'stop']), 'pg_ctl stop', log);
    };
    // The free port may be taken between finding it and binding it (another cluster starting): try another.
    for (let attempt = 1; ; attempt++) {
      try {
        await startServer();
        break;
      } catch (error) {
        if (attempt >= 3 || !/could not bind|Address already in use/i.test(log())) throw error;
        port = await freePort();
        writeConfig();
        chownPostgres(dataDir);
      }
    }

    const superuser = (sql: string): Promise<PsqlResult> =>
      asPostgres('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', sql]);

    const passwordFor = (login: string): string => `pw-${login}-Test-1!`;
    const ownerPassword = passwordFor(OWNER_LOGIN);
    // The workspace owner: not a superuser; it owns the database and may create roles.
    await must(superuser(`CREATE ROLE ${OWNER_LOGIN} LOGIN CREATEROLE PASSWORD '${ownerPassword}'`), 'create owner', log);
    await must(superuser(`CREATE DATABASE ${DATABASE} OWNER ${OWNER_LOGIN}`), 'create database', log);
    await must(asPostgres('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', DATABASE, '-c', `REVOKE ALL ON SCHEMA public FROM PUBLIC`]), 'lock public schema', log);

    const caFile = pki.rootCert;
    const encode = encodeURIComponent;
    const url: TestPostgres['url'] = (login, password, params = {}) => {
      const pw = password === null ? null : (password ?? passwordFor(login));
      const query: Record<string, string | null> = { sslmode: 'verify-full', sslrootcert: caFile, connect_timeout: '5', ...params };
      const search = Object.entries(query)
        .filter((entry): entry is [string, string] => entry[1] !== null)
        .map(([k, v]) => `${k}=${encode(v)}`)
        .join('&');
      return `postgres://${encode(login)}${pw === null ? '' : `:${encode(pw)}`}@127.0.0.1:${port}/${DATABASE}${search ? `?${search}` : ''}`;
    };
    const socketUrl: TestPostgres['socketUrl'] = (login, password) => {
      const pw = password === null ? null : (password ?? passwordFor(login));
      return `postgres://${encode(login)}${pw === null ? '' : `:${encode(pw)}`}@/${DATABASE}?host=${encode(socketDir)}&port=${port}`;
    };
    const psql = (login: string, sql: string, password?: string): Promise<PsqlResult> =>
      run(join(PG_BIN, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', `host=127.0.0.1 port=${port} dbname=${DATABASE} user=${login} sslmode=verify-full sslrootcert=${caFile} connect_timeout=5`, '-c', sql], {
        env: { ...process.env, PGPASSWORD: password ?? passwordFor(login), PGCONNECT_TIMEOUT: '5' },
      });

    let stopped = false;
    return {
      host: '127.0.0.1',
      port,
      database: DATABASE,
      socketDir,
      caFile,
      serverCert: leaf.cert,
      pki,
      ownerLogin: OWNER_LOGIN,
      ownerPassword,
      ownerUrl: url(OWNER_LOGIN, ownerPassword),
      passwordFor,
      url,
      socketUrl,
      psql,
      superuser,
      stopServer,
      startServer,
      async restart() {
        await stopServer();
        await startServer();
      },
      log,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await stopServer();
        } finally {
          cleanupFiles();
        }
      },
    };
  } catch (error) {
    await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop'], 30_000).catch(() => undefined);
    cleanupFiles();
    throw error;
  }
}

/** Runs a command and resolves with its result (execFile with a timeout), for tests that need one shot. */
export function exec(cmd: string, args: ReadonlyArray<string>, timeoutMs = 30_000): Promise<PsqlResult> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * A workspace made in `pg` by the owner (schema, roles, rules), with members granted their role
 * and password (passwordFor(login)). Calls the same use cases as `workspace init` and `grant`.
 */
export async function initTestWorkspace(pg: TestPostgres, members: Readonly<Record<string, 'admin' | 'operator' | 'tech'>>): Promise<void> {
  const { initWorkspace, grantMember } = await import('../../src-main/core/usecases/workspace-admin.js');
  await initWorkspace({ store: pg.ownerUrl });
  for (const [login, role] of Object.entries(members)) await grantMember({ store: pg.ownerUrl }, { login, role, password: pg.passwordFor(login) });
}
