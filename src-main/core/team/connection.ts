// The connection to a team workspace (PostgreSQL). The URL decides where; this module decides
// how: TLS with the server verified against a CA file (verify-full) for every TCP host, or a
// Unix socket (local, no TLS); a bounded connect time; and typed errors that name the server and
// the time waited, never the password. The database's own grants decide what a login may write:
// SQLSTATE 42501 becomes RoleForbiddenError, worded with the member's role.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import pg from 'pg';
import { CurvekeepError, InvalidInputError } from '../errors.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** The workspace's member roles, weakest first (each group role is granted the one before). */
export const MEMBER_ROLES = ['tech', 'operator', 'admin'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
/** What a login is in the workspace: a member role, the owner (who made it), or nothing. */
export type WorkspaceRole = MemberRole | 'owner' | 'none';
export const GROUP_ROLE: Readonly<Record<MemberRole, string>> = { tech: 'curvekeep_tech', operator: 'curvekeep_operator', admin: 'curvekeep_admin' };

// ---- typed errors ---------------------------------------------------------------------------

/** The store URL does not say how to reach the database safely (or is not a PostgreSQL URL). */
export class WorkspaceUrlError extends CurvekeepError {
  readonly code = 'workspace-url';
}

/** A TCP host without verified TLS (sslmode other than verify-full, or no CA file). */
export class WorkspaceTlsRequiredError extends CurvekeepError {
  readonly code = 'workspace-tls-required';
  constructor(message: string, readonly fields: { readonly server: string; readonly sslmode: string | null }) {
    super(message);
  }
}

/** TLS was negotiated but the server's certificate is not trusted (wrong CA, name, pin) or TLS failed. */
export class WorkspaceTlsUntrustedError extends CurvekeepError {
  readonly code = 'workspace-tls-untrusted';
  constructor(message: string, readonly fields: { readonly server: string; readonly reason: string }) {
    super(message);
  }
}

/** The database cannot be reached: refused, no route, down, shutting down, or no answer in time. */
export class WorkspaceUnreachableError extends CurvekeepError {
  readonly code = 'workspace-unreachable';
  constructor(
    message: string,
    readonly fields: { readonly server: string; readonly reason: 'refused' | 'timeout' | 'down' | 'dropped' | 'not-found' | 'network'; readonly timeoutMs: number },
  ) {
    super(message);
  }
}

/** The login or its password was refused by the database. */
export class WorkspaceAuthError extends CurvekeepError {
  readonly code = 'workspace-auth';
  constructor(message: string, readonly fields: { readonly server: string; readonly login: string }) {
    super(message);
  }
}

/** The database refused a write the member's role does not allow (SQLSTATE 42501). */
export class RoleForbiddenError extends CurvekeepError {
  readonly code = 'role-forbidden';
  constructor(message: string, readonly fields: { readonly login: string; readonly role: WorkspaceRole; readonly action: string }) {
    super(message);
  }
}

/** The workspace has no schema yet, or one this Curvekeep does not know. */
export class WorkspaceSchemaError extends CurvekeepError {
  readonly code = 'workspace-schema';
  constructor(message: string, readonly fields: { readonly found: number | null; readonly expected: number }) {
    super(message);
  }
}

// ---- the URL --------------------------------------------------------------------------------

export interface WorkspaceTarget {
  /** `tcp`: host and port over verified TLS; `socket`: a Unix socket folder (no TLS). */
  readonly kind: 'tcp' | 'socket';
  /** The host name or address (tcp) or the socket folder (socket). */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly login: string | null;
  readonly password: string | null;
  /** The CA file the server's certificate must chain to (tcp only). */
  readonly caFile: string | null;
  readonly connectTimeoutMs: number;
  /** SPKI pins (`sha256/BASE64`): when given, the server's key must match one of them. */
  readonly pins: ReadonlyArray<string>;
  readonly applicationName: string;
}

export interface ConnectOptions {
  /** The password when the URL has none (else PGPASSWORD). */
  readonly password?: string;
  /** When the URL has no `connect_timeout`. */
  readonly connectTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * SPKI pins (`sha256/BASE64`, as Curvekeep's pin sets hold them) the server's key must match,
   * in addition to any `pin=` in the URL: e.g. a local pin set for the database host.
   */
  readonly pins?: ReadonlyArray<string>;
}

const URL_SHAPE = /^(postgres|postgresql):\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/;

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new WorkspaceUrlError(`the store URL's ${what} is not valid percent-encoding`);
  }
}

/** Where a target is, for messages: `host:port` or `socket FOLDER`; never the login's password. */
export function describeTarget(target: Pick<WorkspaceTarget, 'kind' | 'host' | 'port'>): string {
  if (target.kind === 'socket') return `socket ${target.host}/.s.PGSQL.${target.port}`;
  return `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`;
}

/** A store URL with its password left out: safe to print. */
export function redactStoreUrl(url: string): string {
  // Split as parseStoreUrl does: the login's password runs from the first ':' to the LAST '@' of
  // the authority (a password may hold a raw '@').
  let out = url;
  const m = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (m) {
    const [, scheme, authority = '', rest = ''] = m;
    const at = authority.lastIndexOf('@');
    const colon = authority.indexOf(':');
    if (at >= 0 && colon >= 0 && colon < at) out = `${scheme}${authority.slice(0, colon)}:***${authority.slice(at)}${rest}`;
  }
  return out.replace(/([?&]password=)[^&#]*/i, '$1***');
}

/**
 * Reads a `postgres://` URL and applies the TLS rule: a TCP host needs `sslmode=verify-full` and
 * `sslrootcert=FILE` (an existing file); a Unix socket (`?host=/folder` or an encoded path as
 * host) needs neither. Throws WorkspaceUrlError / WorkspaceTlsRequiredError before any connection.
 */
export function parseStoreUrl(url: string, options: ConnectOptions = {}): WorkspaceTarget {
  const match = URL_SHAPE.exec(url.trim());
  if (!match) throw new WorkspaceUrlError('the store URL must look like postgres://LOGIN@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=CA.pem');
  const [, , authority = '', path = '', query = ''] = match;
  const params = new URLSearchParams(query);
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;
  const colon = userinfo.indexOf(':');
  let login: string | null = userinfo ? decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'login') : null;
  let password: string | null = colon >= 0 ? decode(userinfo.slice(colon + 1), 'password') : null;
  login = params.get('user') ?? login;
  password = params.get('password') ?? password;
  const env = options.env ?? process.env;
  password ??= options.password || env.PGPASSWORD || null;

  let port = 5432;
  const portMatch = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (!portMatch) throw new WorkspaceUrlError('the store URL\'s host is not valid');
  let host = decode((portMatch[1] ?? '').replace(/^\[|\]$/g, ''), 'host');
  if (portMatch[2]) port = Number(portMatch[2]);
  const hostParam = params.get('host');
  if (hostParam) host = hostParam;
  const portParam = params.get('port');
  if (portParam) port = Number(portParam);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new WorkspaceUrlError('the store URL\'s port must be a number from 1 to 65535');
  if (!host) throw new WorkspaceUrlError('the store URL names no host: give HOST:PORT, or a Unix socket folder with ?host=/folder');
  const database = decode(path, 'database') || params.get('dbname') || login || '';
  if (!database) throw new WorkspaceUrlError('the store URL names no database');

  let connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const timeoutParam = params.get('connect_timeout');
  if (timeoutParam !== null) {
    const seconds = Number(timeoutParam);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new WorkspaceUrlError('connect_timeout must be a number of seconds above 0');
    connectTimeoutMs = Math.round(seconds * 1000);
  }
  const pins = [...new Set([...params.getAll('pin').flatMap((value) => value.split(/[;,]/)), ...(options.pins ?? [])].map((pin) => normalizePin(pin)))];
  const applicationName = params.get('application_name') ?? 'curvekeep';

  const kind = host.startsWith('/') ? 'socket' : 'tcp';
  let caFile: string | null = null;
  if (kind === 'tcp') {
    const server = describeTarget({ kind, host, port });
    const sslmode = params.get('sslmode');
    if (sslmode !== 'verify-full') {
      throw new WorkspaceTlsRequiredError(
        `the workspace at ${server} must be reached over verified TLS: the store URL says ${sslmode ? `sslmode=${sslmode}` : 'no sslmode'}, and only sslmode=verify-full with sslrootcert=CA-FILE is accepted (or a Unix socket)`,
        { server, sslmode },
      );
    }
    caFile = params.get('sslrootcert');
    if (!caFile || caFile === 'system') {
      throw new WorkspaceTlsRequiredError(`the workspace at ${server} needs the CA file that signed its certificate: add sslrootcert=FILE to the store URL`, { server, sslmode });
    }
    if (!existsSync(caFile)) throw new WorkspaceTlsRequiredError(`the CA file ${caFile} named by sslrootcert does not exist`, { server, sslmode });
  }
  return { kind, host, port, database, login, password, caFile, connectTimeoutMs, pins, applicationName };
}

function normalizePin(pin: string): string {
  const m = /^sha256\/\/?([A-Za-z0-9+/]{43}=)$/.exec(pin.trim());
  if (!m) throw new WorkspaceUrlError('a pin in the store URL must be sha256/BASE64 (the SHA-256 of the server\'s public key, as `pins` prints it)');
  return `sha256/${m[1]}`;
}

/** The SHA-256 pin of a certificate's public key (SPKI), as Curvekeep's pin sets write it. */
export function spkiPin(certDer: Buffer): string {
  const spki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

/** The SPKI pins of a peer certificate and its issuers, leaf first. */
export function chainPins(cert: PeerCertificate): string[] {
  const pins: string[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | PeerCertificate | undefined = cert;
  while (current?.raw && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    pins.push(spkiPin(current.raw));
    current = (current as DetailedPeerCertificate).issuerCertificate;
  }
  return pins;
}

/** node-postgres settings for a target (TLS verified against the CA file, host name and pins). */
export function clientConfig(target: WorkspaceTarget): pg.ClientConfig {
  const base: pg.ClientConfig = {
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.login ?? undefined,
    password: target.password ?? undefined,
    connectionTimeoutMillis: target.connectTimeoutMs,
    application_name: target.applicationName,
    keepAlive: true,
  };
  if (target.kind === 'socket' || !target.caFile) return { ...base, ssl: false };
  const ca = readFileSync(target.caFile);
  return {
    ...base,
    ssl: {
      ca,
      rejectUnauthorized: true,
      ...(isIP(target.host) ? {} : { servername: target.host }),
      // pg hands tls.connect a socket, not a host: check the name we were given ourselves, then the pins.
      checkServerIdentity: (_name: string, cert: PeerCertificate) => {
        const nameError = checkServerIdentity(target.host, cert);
        if (nameError) return nameError;
        if (target.pins.length > 0) {
          // As a pin set is checked: a pin of any certificate of the verified chain (leaf, intermediate, root).
          const chain = chainPins(cert);
          if (!chain.some((pin) => target.pins.includes(pin))) {
            return Object.assign(new Error(`the server's key (${chain[0] ?? '?'}) and its chain match none of the pins given`), { code: 'CURVEKEEP_PIN_MISMATCH' });
          }
        }
        return undefined;
      },
    },
  };
}

// ---- errors from pg -------------------------------------------------------------------------

const TABLE_ACTIONS: Readonly<Record<string, string>> = {
  identities: 'change own identities, their keys or rotations',
  peers: 'change peers or their keys',
  pin_sets: 'change pin sets',
  backup_keys: 'change backup keys',
  devices: 'change devices',
  batches: 'change provisioning batches',
  members: 'grant or change members',
  audit: 'edit or delete audit entries',
  link_tests: 'record link tests for another login',
  meta: 'change the workspace revision',
  schema_migrations: 'change the workspace schema',
  grant_member: 'grant or change members',
  clear_signing_key: 'clear a member\'s signing key',
};

/** What a 42501 message says was refused, in the member's words. */
export function forbiddenAction(message: string): string {
  const table = /(?:permission denied for (?:table|relation|function|schema|sequence) |row-level security policy for table ")([a-z_]+)/.exec(message)?.[1];
  if (table && /row-level security/.test(message) && table === 'audit') return 'write audit entries in another login\'s name';
  if (table && /row-level security/.test(message) && table !== 'link_tests') return `write ${table.replace('_', ' ')} rows in another login's name`;
  if (table && TABLE_ACTIONS[table]) return TABLE_ACTIONS[table];
  if (/append-only/.test(message)) return TABLE_ACTIONS.audit ?? 'edit audit entries';
  if (/only an admin/.test(message)) return TABLE_ACTIONS.members ?? 'grant members';
  if (/create role|permission denied to create/i.test(message)) return 'create roles';
  if (/schema/.test(message)) return 'change the workspace schema';
  return 'make this change';
}

interface PgLikeError {
  readonly code?: string;
  readonly message?: string;
  readonly errno?: number;
}

const UNREACHABLE_CODES: Readonly<Record<string, WorkspaceUnreachableError['fields']['reason']>> = {
  ECONNREFUSED: 'refused',
  ENOENT: 'not-found',
  EHOSTUNREACH: 'network',
  ENETUNREACH: 'network',
  ENOTFOUND: 'not-found',
  EAI_AGAIN: 'not-found',
  ECONNRESET: 'dropped',
  EPIPE: 'dropped',
  ETIMEDOUT: 'timeout',
  '57P01': 'down',
  '57P02': 'down',
  '57P03': 'down',
  '08006': 'dropped',
  '08001': 'refused',
  '08004': 'refused',
};

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CURVEKEEP_PIN_MISMATCH',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/**
 * A typed error for whatever pg threw, with the server named and the password never included.
 * `role` words a refusal (42501); other database errors pass through unchanged (conflicts are
 * the store's to word).
 */
export function mapDatabaseError(error: unknown, target: WorkspaceTarget, role: WorkspaceRole = 'none', login: string = target.login ?? ''): unknown {
  if (error instanceof CurvekeepError) return error;
  const e = (error ?? {}) as PgLikeError;
  const code = e.code ?? '';
  const message = String(e.message ?? error);
  const server = describeTarget(target);
  const seconds = `${target.connectTimeoutMs / 1000} s`;
  if (code === '42501' && /permission denied for database/.test(message)) {
    return new WorkspaceAuthError(`the login ${login || '(none)'} may not connect to the workspace at ${server}: it is not a member (an admin grants it with its role)`, { server, login });
  }
  if (code === '42501') {
    const action = forbiddenAction(message);
    return new RoleForbiddenError(`your role (${role}) may not ${action}`, { login, role, action });
  }
  if (code === '28P01' || code === '28000') {
    return new WorkspaceAuthError(`the workspace at ${server} refused the login ${login || '(none)'}: wrong password, unknown login, or not allowed from here`, { server, login });
  }
  if (/client password must be a string|password must be a string/i.test(message)) {
    return new WorkspaceAuthError(`the workspace at ${server} asks the login ${login || '(none)'} for a password and none was given (in the store URL or PGPASSWORD)`, { server, login });
  }
  if (code === '3D000') return new WorkspaceUrlError(`the workspace at ${server} has no database named ${target.database}`);
  const noTls = /does not support SSL|error establishing an SSL connection/i.test(message);
  if (TLS_CODES.has(code) || /certificate|self[- ]signed|SSL|TLS/i.test(code) || noTls) {
    const reason = code === 'CURVEKEEP_PIN_MISMATCH' ? message : noTls ? 'the server does not offer TLS: is it PostgreSQL, with ssl = on?' : `${code || 'TLS failed'}: ${message}`;
    return new WorkspaceTlsUntrustedError(`the workspace at ${server} could not be verified over TLS (${reason}); nothing was sent to it`, { server, reason: code || 'tls' });
  }
  if (/timeout expired|connection timeout/i.test(message) || code === 'ETIMEDOUT') {
    return new WorkspaceUnreachableError(`the workspace at ${server} did not answer within ${seconds} (connect timeout); nothing was changed`, { server, reason: 'timeout', timeoutMs: target.connectTimeoutMs });
  }
  const reason = UNREACHABLE_CODES[code] ?? (/Connection terminated|ended unexpectedly|terminating connection/i.test(message) ? 'dropped' : undefined);
  if (reason) {
    const what =
      reason === 'refused'
        ? 'refused the connection (is the database running?)'
        : reason === 'down'
          ? 'is shutting down or starting up'
          : reason === 'dropped'
            ? 'closed the connection'
            : reason === 'not-found'
              ? 'was not found'
              : 'is not reachable from here';
    return new WorkspaceUnreachableError(`the workspace at ${server} ${what} (connect timeout ${seconds}); nothing was changed`, { server, reason, timeoutMs: target.connectTimeoutMs });
  }
  return error;
}

// ---- the connection -------------------------------------------------------------------------

export interface TlsFacts {
  /** False for a Unix socket. */
  readonly encrypted: boolean;
  /** The server's certificate was verified against the CA file and the host name (verify-full). */
  readonly verified: boolean;
  readonly protocol: string | null;
  readonly cipher: string | null;
  /** The server key's SPKI pin (what `pin=` in the URL checks). */
  readonly serverPin: string | null;
  readonly pinned: boolean;
}

export interface WorkspaceConnection {
  readonly target: WorkspaceTarget;
  /** The connected node-postgres client (for LISTEN, COPY and the store's own queries). */
  readonly client: pg.Client;
  /** The login the database sees (current_user). */
  readonly login: string;
  /** The login's workspace role (read at connect time from its group roles). */
  readonly role: WorkspaceRole;
  readonly tls: TlsFacts;
  /** A query whose errors are mapped to typed ones (42501 -> RoleForbiddenError, faults -> exit 3). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: ReadonlyArray<unknown>): Promise<pg.QueryResult<R>>;
  /** Runs `work` in one transaction (BEGIN ... COMMIT; ROLLBACK on any error, which is mapped). */
  transaction<T>(work: (query: WorkspaceConnection['query']) => Promise<T>): Promise<T>;
  /** Maps an error from this connection (for code that used `client` directly). */
  mapError(error: unknown): unknown;
  close(): Promise<void>;
}

/** The role a login has: owner of the database, else its strongest Curvekeep group. */
const ROLE_QUERY = `
  SELECT current_user AS login,
         (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) = current_user AS is_owner,
         ARRAY(SELECT r.rolname::text FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
               WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)) AS groups`;

export function roleOf(row: { is_owner: boolean; groups: ReadonlyArray<string> }): WorkspaceRole {
  if (row.is_owner) return 'owner';
  for (const role of [...MEMBER_ROLES].reverse()) if (row.groups.includes(GROUP_ROLE[role])) return role;
  return 'none';
}

/**
 * Opens a connection to the workspace named by `url`: refuses before connecting when the URL does
 * not require verified TLS, waits at most the connect timeout, and maps every failure to a typed
 * error. The caller closes it.
 */
export async function openWorkspaceConnection(url: string, options: ConnectOptions = {}): Promise<WorkspaceConnection> {
  const target = parseStoreUrl(url, options);
  if (!target.login) throw new InvalidInputError('the store URL names no login: postgres://LOGIN@HOST:PORT/DATABASE?...');
  const client = new pg.Client(clientConfig(target));
  // A dropped connection is reported on the next query; an 'error' event must not crash the process.
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    // pg's own timer covers connect + TLS + authentication; this one is the outer bound.
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('timeout expired'), { code: 'ETIMEDOUT' })), target.connectTimeoutMs + 1_000);
      }),
    ]);
  } catch (error) {
    void client.end().catch(() => undefined);
    throw mapDatabaseError(error, target);
  } finally {
    if (timer) clearTimeout(timer);
  }

  let login = target.login;
  let role: WorkspaceRole = 'none';
  try {
    const row = (await client.query<{ login: string; is_owner: boolean; groups: string[] }>(ROLE_QUERY)).rows[0];
    if (row) {
      login = row.login;
      role = roleOf(row);
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw mapDatabaseError(error, target);
  }

  const stream = (client as unknown as { connection?: { stream?: Partial<TLSSocket> } }).connection?.stream;
  const encrypted = target.kind === 'tcp' && typeof stream?.getProtocol === 'function';
  const peer = encrypted && typeof stream?.getPeerCertificate === 'function' ? stream.getPeerCertificate() : null;
  const tls: TlsFacts = {
    encrypted,
    verified: encrypted && stream?.authorized === true,
    protocol: encrypted ? (stream?.getProtocol?.() ?? null) : null,
    cipher: encrypted ? (stream?.getCipher?.()?.standardName ?? stream?.getCipher?.()?.name ?? null) : null,
    serverPin: peer?.raw ? spkiPin(peer.raw) : null,
    pinned: target.pins.length > 0,
  };

  const mapError = (error: unknown): unknown => mapDatabaseError(error, target, role, login);
  const query: WorkspaceConnection['query'] = async (sql, values) => {
    try {
      return await client.query(sql, values as unknown[] | undefined);
    } catch (error) {
      throw mapError(error);
    }
  };
  return {
    target,
    client,
    login,
    role,
    tls,
    query,
    mapError,
    async transaction(work) {
      await query('BEGIN');
      try {
        const result = await work(query);
        await query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw mapError(error);
      }
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}
