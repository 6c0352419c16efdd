// The workspace's schema, as versioned migrations applied by the owner (`workspace init`). Each
// migration runs once, in order, inside one transaction with the version recorded in
// curvekeep.schema_migrations; running init again applies only what is missing. The SQL lives
// here as strings because the CLI is one bundle.
//
// What the database itself enforces (whatever client a member uses):
// - group roles curvekeep_tech < curvekeep_operator < curvekeep_admin (each granted the one
//   below); member logins are granted one group by curvekeep.grant_member (owner's rights,
//   callable by admins only);
// - grants per table and column (tech: tests, verifications, audit, revision; operator: + keys,
//   peers, pins; admin: + devices, batches, members);
// - row-level security: every written row names its writer (changed_by = session_user, audit
//   actor = session_user), a member registers only their own signing key, once;
// - the audit log is append-only: UPDATE/DELETE/TRUNCATE are granted to nobody and refused by a
//   trigger (only the owner could disable it; `audit verify` then finds the edit);
// - the revision only grows, and each change of it notifies `curvekeep_changes` with the revision.

import { type WorkspaceConnection, WorkspaceSchemaError } from './connection.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const SCHEMA = 'curvekeep';
export const CHANGES_CHANNEL = 'curvekeep_changes';

const CHANGED = `changed_rev bigint NOT NULL,
  changed_by text NOT NULL DEFAULT current_user,
  changed_at timestamptz NOT NULL DEFAULT now()`;

/** Tables the workspace document lives in: every written row names its writer (RLS). */
const DOCUMENT_TABLES = ['identities', 'link_tests', 'peers', 'devices', 'batches', 'pin_sets', 'backup_keys'] as const;

const rowSecurity = (table: string): string => `
ALTER TABLE curvekeep.${table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON curvekeep.${table} FOR SELECT TO curvekeep_tech USING (true);
CREATE POLICY insert_as_self ON curvekeep.${table} FOR INSERT TO curvekeep_tech WITH CHECK (changed_by = session_user);
CREATE POLICY update_as_self ON curvekeep.${table} FOR UPDATE TO curvekeep_tech USING (true) WITH CHECK (changed_by = session_user);
CREATE POLICY remove ON curvekeep.${table} FOR DELETE TO curvekeep_tech USING (true);`;

const MIGRATION_1 = `
-- Group roles (cluster-wide names; NOLOGIN). Created here if missing: the owner has CREATEROLE.
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'curvekeep_tech') THEN CREATE ROLE curvekeep_tech NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'curvekeep_operator') THEN CREATE ROLE curvekeep_operator NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'curvekeep_admin') THEN CREATE ROLE curvekeep_admin NOLOGIN; END IF;
END
$roles$;
GRANT curvekeep_tech TO curvekeep_operator;
GRANT curvekeep_operator TO curvekeep_admin;

-- Only members connect.
DO $db$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO curvekeep_tech', current_database());
END
$db$;
REVOKE ALL ON SCHEMA curvekeep FROM PUBLIC;
GRANT USAGE ON SCHEMA curvekeep TO curvekeep_tech;

CREATE TABLE curvekeep.meta (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  revision bigint NOT NULL DEFAULT 0,
  changed_by text NOT NULL DEFAULT current_user,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO curvekeep.meta (id, revision) VALUES (true, 0);

CREATE TABLE curvekeep.members (
  login text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'tech')),
  signing_key text NULL CHECK (signing_key ~ '^[A-Za-z0-9+/]{43}=$'),
  -- Keys this member signed with before an admin cleared them (a lost keychain): older entries still verify.
  retired_keys text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT current_user
);

CREATE TABLE curvekeep.identities (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  role text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  endpoints text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  rotate_every_days int NULL,
  generations jsonb NOT NULL,
  ${CHANGED}
);

CREATE TABLE curvekeep.link_tests (
  identity_id text NOT NULL REFERENCES curvekeep.identities (id) ON DELETE CASCADE,
  generation int NOT NULL,
  record jsonb NOT NULL,
  ${CHANGED},
  PRIMARY KEY (identity_id, generation)
);

CREATE TABLE curvekeep.peers (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  public_key text NOT NULL,
  endpoints text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  allowed boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  source text NULL,
  verification jsonb NOT NULL,
  link jsonb NULL,
  ${CHANGED}
);

CREATE TABLE curvekeep.devices (
  id text PRIMARY KEY,
  name text NOT NULL,
  public_key text NOT NULL,
  server text NOT NULL,
  batch text NULL,
  bundle_dir text NULL,
  tags text[] NOT NULL DEFAULT '{}',
  state text NOT NULL,
  created_at timestamptz NOT NULL,
  kept_secret boolean NOT NULL DEFAULT false,
  endpoint text NULL,
  replaces text NULL,
  previous_public_key text NULL,
  removed_at timestamptz NULL,
  ${CHANGED}
);
CREATE INDEX devices_server ON curvekeep.devices (server);
CREATE INDEX devices_batch ON curvekeep.devices (batch);

CREATE TABLE curvekeep.batches (
  id text PRIMARY KEY,
  created_at timestamptz NOT NULL,
  csv_name text NOT NULL,
  server text NOT NULL,
  out_dir text NOT NULL,
  counts jsonb NOT NULL,
  failed jsonb NOT NULL,
  ${CHANGED}
);

CREATE TABLE curvekeep.pin_sets (
  host text PRIMARY KEY,
  pins text[] NOT NULL,
  backup_pins text[] NOT NULL DEFAULT '{}',
  expires text NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  roles jsonb NULL,
  last_check jsonb NULL,
  ${CHANGED}
);

CREATE TABLE curvekeep.backup_keys (
  id text PRIMARY KEY,
  host text NOT NULL,
  algorithm text NOT NULL,
  pin text NOT NULL,
  csr_pem text NOT NULL,
  created_at timestamptz NOT NULL,
  ${CHANGED}
);

CREATE TABLE curvekeep.audit (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL DEFAULT current_user,
  action text NOT NULL,
  subject text NULL,
  details jsonb NULL,
  prev text NULL,
  hash text NOT NULL,
  signature text NULL
);

-- Grants: tech reads everything and records tests, verifications, audit entries and the revision.
REVOKE ALL ON ALL TABLES IN SCHEMA curvekeep FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA curvekeep TO curvekeep_tech;
GRANT INSERT, UPDATE (record, changed_rev, changed_by, changed_at) ON curvekeep.link_tests TO curvekeep_tech;
GRANT UPDATE (verification, link, changed_rev, changed_by, changed_at) ON curvekeep.peers TO curvekeep_tech;
GRANT UPDATE (last_check, changed_rev, changed_by, changed_at) ON curvekeep.pin_sets TO curvekeep_tech;
GRANT INSERT ON curvekeep.audit TO curvekeep_tech;
GRANT UPDATE ON curvekeep.meta TO curvekeep_tech;
GRANT UPDATE (signing_key) ON curvekeep.members TO curvekeep_tech;
-- operator: + keys and rotations, peers, pins, backup keys.
GRANT INSERT, UPDATE, DELETE ON curvekeep.identities, curvekeep.peers, curvekeep.pin_sets, curvekeep.backup_keys, curvekeep.link_tests TO curvekeep_operator;
-- admin: + devices and batches (provision, remove, reissue); members through grant_member.
GRANT INSERT, UPDATE, DELETE ON curvekeep.devices, curvekeep.batches TO curvekeep_admin;

-- Row-level security: every written row names its writer.
${DOCUMENT_TABLES.map(rowSecurity).join('\n')}

ALTER TABLE curvekeep.members ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON curvekeep.members FOR SELECT TO curvekeep_tech USING (true);
CREATE POLICY register_own_key ON curvekeep.members FOR UPDATE TO curvekeep_tech
  USING (login = session_user AND signing_key IS NULL) WITH CHECK (login = session_user);

ALTER TABLE curvekeep.audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON curvekeep.audit FOR SELECT TO curvekeep_tech USING (true);
CREATE POLICY append_as_self ON curvekeep.audit FOR INSERT TO curvekeep_tech WITH CHECK (actor = session_user);

-- The audit log is append-only, for everyone the trigger applies to (the owner too, unless they disable it).
CREATE FUNCTION curvekeep.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END
$fn$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON curvekeep.audit FOR EACH ROW EXECUTE FUNCTION curvekeep.audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON curvekeep.audit FOR EACH STATEMENT EXECUTE FUNCTION curvekeep.audit_append_only();

-- The revision only grows; each change notifies listeners with the new revision.
CREATE FUNCTION curvekeep.meta_forward_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.revision <= OLD.revision THEN
    RAISE EXCEPTION 'the workspace revision only grows (% -> % refused)', OLD.revision, NEW.revision USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER meta_forward_only BEFORE UPDATE ON curvekeep.meta FOR EACH ROW EXECUTE FUNCTION curvekeep.meta_forward_only();
CREATE FUNCTION curvekeep.meta_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify('${CHANGES_CHANNEL}', NEW.revision::text);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER meta_notify AFTER UPDATE ON curvekeep.meta FOR EACH ROW EXECUTE FUNCTION curvekeep.meta_notify();

-- Granting a member: runs with the owner's rights (CREATEROLE), callable by admins; touches only
-- logins that are not roles yet or are already members (never the owner, a group or another role).
-- The password arrives as a SCRAM verifier made by the client: the plain password never reaches the server.
CREATE FUNCTION curvekeep.grant_member(p_login text, p_role text, p_verifier text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  caller text := session_user;
  owner_name text;
  existed boolean;
  grp text;
BEGIN
  SELECT pg_get_userbyid(datdba) INTO owner_name FROM pg_database WHERE datname = current_database();
  IF caller <> owner_name AND NOT pg_has_role(caller, 'curvekeep_admin', 'USAGE') THEN
    RAISE EXCEPTION 'only an admin or the workspace owner may grant members' USING ERRCODE = '42501';
  END IF;
  IF p_role IS NULL OR p_role NOT IN ('admin', 'operator', 'tech') THEN
    RAISE EXCEPTION 'role must be admin, operator or tech' USING ERRCODE = '22023';
  END IF;
  IF p_login IS NULL OR p_login !~ '^[a-z_][a-z0-9_.-]{0,62}$' OR p_login LIKE 'curvekeep\\_%' OR p_login LIKE 'pg\\_%' OR p_login = owner_name THEN
    RAISE EXCEPTION 'the login % cannot be a member (lower-case letters, digits, _ . -; not the owner or a group)', p_login USING ERRCODE = '22023';
  END IF;
  IF p_verifier IS NOT NULL AND p_verifier !~ '^SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
    RAISE EXCEPTION 'the password must arrive as a SCRAM-SHA-256 verifier' USING ERRCODE = '22023';
  END IF;
  SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) INTO existed;
  IF existed AND NOT EXISTS (SELECT 1 FROM curvekeep.members WHERE login = p_login) THEN
    RAISE EXCEPTION 'the login % exists in this database server but is not a workspace member: it is left alone', p_login USING ERRCODE = '42710';
  END IF;
  IF NOT existed THEN
    IF p_verifier IS NULL THEN
      EXECUTE format('CREATE ROLE %I LOGIN', p_login);
    ELSE
      EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_login, p_verifier);
    END IF;
  ELSIF p_verifier IS NOT NULL THEN
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
  END IF;
  FOREACH grp IN ARRAY ARRAY['curvekeep_admin', 'curvekeep_operator', 'curvekeep_tech'] LOOP
    IF grp <> 'curvekeep_' || p_role AND EXISTS (
      SELECT 1 FROM pg_auth_members m WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = grp)
        AND m.member = (SELECT oid FROM pg_roles WHERE rolname = p_login)) THEN
      EXECUTE format('REVOKE %I FROM %I', grp, p_login);
    END IF;
  END LOOP;
  EXECUTE format('GRANT %I TO %I', 'curvekeep_' || p_role, p_login);
  INSERT INTO curvekeep.members (login, role, created_by) VALUES (p_login, p_role, caller)
    ON CONFLICT (login) DO UPDATE SET role = EXCLUDED.role;
  RETURN CASE WHEN existed THEN 'updated' ELSE 'created' END;
END
$fn$;
REVOKE ALL ON FUNCTION curvekeep.grant_member(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION curvekeep.grant_member(text, text, text) TO curvekeep_admin;

-- A member whose keychain lost the signing key: an admin clears it (kept in retired_keys), and the
-- member registers a new one at their next change.
CREATE FUNCTION curvekeep.clear_signing_key(p_login text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  owner_name text;
BEGIN
  SELECT pg_get_userbyid(datdba) INTO owner_name FROM pg_database WHERE datname = current_database();
  IF session_user <> owner_name AND NOT pg_has_role(session_user, 'curvekeep_admin', 'USAGE') THEN
    RAISE EXCEPTION 'only an admin or the workspace owner may clear a signing key' USING ERRCODE = '42501';
  END IF;
  UPDATE curvekeep.members SET retired_keys = retired_keys || signing_key, signing_key = NULL
    WHERE login = p_login AND signing_key IS NOT NULL;
  RETURN FOUND;
END
$fn$;
REVOKE ALL ON FUNCTION curvekeep.clear_signing_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION curvekeep.clear_signing_key(text) TO curvekeep_admin;
`;

export const MIGRATIONS: ReadonlyArray<Migration> = [{ version: 1, name: 'schema, roles, grants, row-level security, append-only audit, change notifications, grant_member', sql: MIGRATION_1 }];

/** The schema version this Curvekeep writes and expects. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** The schema version applied in the workspace, or null when it has no Curvekeep schema yet. */
export async function schemaVersion(connection: Pick<WorkspaceConnection, 'query'>): Promise<number | null> {
  const exists = await connection.query<{ present: boolean }>(`SELECT to_regclass('curvekeep.schema_migrations') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return null;
  const row = await connection.query<{ version: number | null }>('SELECT max(version)::int AS version FROM curvekeep.schema_migrations');
  return row.rows[0]?.version ?? null;
}

/**
 * Checks that the workspace's schema is the one this Curvekeep knows (the store calls this after
 * connecting): none yet or an older one -> `workspace init` is needed; a newer one -> upgrade Curvekeep.
 */
export async function requireSchema(connection: Pick<WorkspaceConnection, 'query'>): Promise<number> {
  const found = await schemaVersion(connection);
  if (found === null) throw new WorkspaceSchemaError('the workspace has no Curvekeep schema yet: its owner must initialize it first', { found, expected: LATEST_SCHEMA_VERSION });
  if (found < LATEST_SCHEMA_VERSION) {
    throw new WorkspaceSchemaError(`the workspace schema is at version ${found}, this Curvekeep needs ${LATEST_SCHEMA_VERSION}: its owner must migrate it (init again)`, { found, expected: LATEST_SCHEMA_VERSION });
  }
  if (found > LATEST_SCHEMA_VERSION) {
    throw new WorkspaceSchemaError(`the workspace schema is at version ${found}, newer than this Curvekeep knows (${LATEST_SCHEMA_VERSION}): upgrade Curvekeep`, { found, expected: LATEST_SCHEMA_VERSION });
  }
  return found;
}

export interface MigrationResult {
  readonly before: number | null;
  readonly after: number;
  readonly applied: ReadonlyArray<number>;
}

/**
 * Applies every migration the workspace lacks, in order, in ONE transaction (all or nothing),
 * under an advisory lock so that two owners running init at once do not both apply one.
 */
export async function migrate(connection: Pick<WorkspaceConnection, 'transaction'>, migrations: ReadonlyArray<Migration> = MIGRATIONS): Promise<MigrationResult> {
  return connection.transaction(async (query) => {
    await query(`SELECT pg_advisory_xact_lock(hashtext('curvekeep.migrate'))`);
    const before = await schemaVersion({ query });
    const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (before !== null && before > latest) {
      throw new WorkspaceSchemaError(`the workspace schema is at version ${before}, newer than this Curvekeep knows (${latest}): upgrade Curvekeep`, { found: before, expected: latest });
    }
    await query('CREATE SCHEMA IF NOT EXISTS curvekeep');
    await query('CREATE TABLE IF NOT EXISTS curvekeep.schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL DEFAULT current_user)');
    const done = new Set((await query<{ version: number }>('SELECT version FROM curvekeep.schema_migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await query(migration.sql);
      await query('INSERT INTO curvekeep.schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    // Members read the schema version (status); nobody else writes it.
    await query('REVOKE ALL ON curvekeep.schema_migrations FROM PUBLIC');
    await query(`DO $g$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'curvekeep_tech') THEN GRANT SELECT ON curvekeep.schema_migrations TO curvekeep_tech; END IF; END $g$`);
    const after = (await schemaVersion({ query })) ?? 0;
    return { before, after, applied };
  });
}
