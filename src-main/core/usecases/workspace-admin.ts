// The team workspace's administration: create or migrate its schema (the owner), grant members
// (an admin or the owner), list members, and show what a connection is (server, TLS, schema,
// revision, login and role). Both faces call these; the database decides who may do what.
import { InvalidInputError, RefusedError } from '../errors.js';
import { type ConnectOptions, type MemberRole, type TlsFacts, type WorkspaceConnection, type WorkspaceRole, describeTarget, openWorkspaceConnection, RoleForbiddenError } from '../team/connection.js';
import { checkLogin, type Member, scramVerifier, signingKeyFingerprint } from '../team/members.js';
import { LATEST_SCHEMA_VERSION, migrate, requireSchema, schemaVersion } from '../team/migrations.js';

export interface WorkspaceRequest extends ConnectOptions {
  /** The store URL (`postgres://...`). */
  readonly store: string;
}

async function withConnection<T>(request: WorkspaceRequest, work: (connection: WorkspaceConnection) => Promise<T>): Promise<T> {
  const connection = await openWorkspaceConnection(request.store, request);
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}

export interface InitResult {
  readonly server: string;
  readonly database: string;
  readonly owner: string;
  /** The schema version before (null: there was none) and after. */
  readonly before: number | null;
  readonly schemaVersion: number;
  /** The migrations applied now (empty when it was already up to date). */
  readonly applied: ReadonlyArray<number>;
}

/** Creates the schema, roles and rules (or applies the missing migrations). Only the database's owner may. */
export function initWorkspace(request: WorkspaceRequest): Promise<InitResult> {
  return withConnection(request, async (connection) => {
    if (connection.role !== 'owner') {
      throw new RoleForbiddenError(`your role (${connection.role}) may not initialize or migrate the workspace: only the database's owner may`, {
        login: connection.login,
        role: connection.role,
        action: 'initialize or migrate the workspace',
      });
    }
    const result = await migrate(connection);
    return { server: describeTarget(connection.target), database: connection.target.database, owner: connection.login, before: result.before, schemaVersion: result.after, applied: result.applied };
  });
}

export interface GrantRequest {
  readonly login: string;
  readonly role: MemberRole;
  /** The member's new password (sent as a SCRAM verifier); absent: the password is left as it is. */
  readonly password?: string;
  /** Clear the member's registered signing key (lost keychain): they register a new one at their next change. */
  readonly clearSigningKey?: boolean;
}

export interface GrantResult {
  readonly login: string;
  readonly role: MemberRole;
  /** `created`: a new login; `updated`: an existing member's role (and password) changed. */
  readonly outcome: 'created' | 'updated';
  readonly passwordSet: boolean;
  /** True when a registered signing key was cleared (kept as retired, so older audit entries still verify). */
  readonly signingKeyCleared: boolean;
}

/** Creates or updates a member: its login, its one group role and its members row. */
export function grantMember(request: WorkspaceRequest, grant: GrantRequest): Promise<GrantResult> {
  checkLogin(grant.login);
  const verifier = grant.password === undefined ? null : scramVerifier(grant.password);
  return withConnection(request, async (connection) => {
    await requireSchema(connection);
    try {
      return await connection.transaction(async (query) => {
        const result = await query<{ outcome: 'created' | 'updated' }>('SELECT curvekeep.grant_member($1, $2, $3) AS outcome', [grant.login, grant.role, verifier]);
        const cleared = grant.clearSigningKey ? (await query<{ cleared: boolean }>('SELECT curvekeep.clear_signing_key($1) AS cleared', [grant.login])).rows[0]?.cleared === true : false;
        return { login: grant.login, role: grant.role, outcome: result.rows[0]?.outcome ?? 'updated', passwordSet: verifier !== null, signingKeyCleared: cleared };
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const message = (error as { message?: string }).message ?? '';
      if (code === '22023') throw new InvalidInputError(message);
      if (code === '42710') throw new RefusedError(message);
      throw error;
    }
  });
}

/** Every member, by login, with their signing key's fingerprint (null: not yet registered). */
export function listMembers(request: WorkspaceRequest): Promise<Member[]> {
  return withConnection(request, async (connection) => {
    await requireSchema(connection);
    const rows = await connection.query<{ login: string; role: MemberRole; signing_key: string | null; retired_keys: string[]; created_at: Date; created_by: string }>(
      'SELECT login, role, signing_key, retired_keys, created_at, created_by FROM curvekeep.members ORDER BY login',
    );
    return rows.rows.map((r) => ({
      login: r.login,
      role: r.role,
      signingKey: r.signing_key,
      fingerprint: r.signing_key ? signingKeyFingerprint(r.signing_key) : null,
      retiredKeys: r.retired_keys,
      createdAt: r.created_at.toISOString(),
      createdBy: r.created_by,
    }));
  });
}

export interface WorkspaceStatus {
  readonly server: string;
  readonly kind: 'tcp' | 'socket';
  readonly database: string;
  readonly serverVersion: string;
  readonly tls: TlsFacts;
  /** null: the workspace has no Curvekeep schema yet. */
  readonly schemaVersion: number | null;
  readonly expectedSchemaVersion: number;
  readonly revision: number | null;
  readonly lastChange: { readonly by: string; readonly at: string } | null;
  readonly login: string;
  readonly role: WorkspaceRole;
  /** Whether this login's signing key is registered (null for the owner or a non-member). */
  readonly signingKeyRegistered: boolean | null;
}

/** What the connection is: the server, TLS as negotiated, the schema, the revision, who we are. */
export function workspaceStatus(request: WorkspaceRequest): Promise<WorkspaceStatus> {
  return withConnection(request, async (connection) => {
    const version = await connection.query<{ server_version: string }>('SHOW server_version');
    const schema = await schemaVersion(connection);
    let revision: number | null = null;
    let lastChange: WorkspaceStatus['lastChange'] = null;
    let signingKeyRegistered: boolean | null = null;
    if (schema !== null) {
      const meta = await connection.query<{ revision: string; changed_by: string; changed_at: Date }>('SELECT revision, changed_by, changed_at FROM curvekeep.meta');
      const row = meta.rows[0];
      if (row) {
        revision = Number(row.revision);
        lastChange = { by: row.changed_by, at: row.changed_at.toISOString() };
      }
      const me = await connection.query<{ registered: boolean }>('SELECT signing_key IS NOT NULL AS registered FROM curvekeep.members WHERE login = current_user');
      signingKeyRegistered = me.rows[0]?.registered ?? null;
    }
    return {
      server: describeTarget(connection.target),
      kind: connection.target.kind,
      database: connection.target.database,
      serverVersion: version.rows[0]?.server_version ?? 'unknown',
      tls: connection.tls,
      schemaVersion: schema,
      expectedSchemaVersion: LATEST_SCHEMA_VERSION,
      revision,
      lastChange,
      login: connection.login,
      role: connection.role,
      signingKeyRegistered,
    };
  });
}
