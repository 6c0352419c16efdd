// `curvekeep workspace init|grant|members|status`: the team workspace in PostgreSQL. The store
// URL comes from --store or CURVEKEEP_STORE; TCP hosts need sslmode=verify-full and sslrootcert.
import type { Command } from 'commander';
import { action, type CommandContext, table, UsageError } from '../runner.js';

/** The workspace's URL: --store (a global option), CURVEKEEP_STORE or the app's setting, as every command finds it. */
async function storeUrl(ctx: CommandContext): Promise<string> {
  const { storeUrlFor } = await import('../../core/workspace.js');
  const store = storeUrlFor(ctx.options.home, ctx.options.store);
  if (!store) throw new UsageError('workspace commands need the workspace: --store postgres://LOGIN@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=CA.pem, or CURVEKEEP_STORE');
  if (!/^postgres(ql)?:\/\//i.test(store)) throw new UsageError('workspace commands need a PostgreSQL workspace URL (postgres://...), not a local data folder');
  return store;
}

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One line: a trailing newline (echo, a file) is not part of the password.
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!text) throw new UsageError('--password-stdin read an empty password');
  if (/[\r\n]/.test(text)) throw new UsageError('--password-stdin takes one line');
  return text;
}

export function registerWorkspace(program: Command): void {
  const workspace = program.command('workspace').description('the team workspace in PostgreSQL: schema, members, connection');

  workspace
    .command('init')
    .description('create the workspace schema, roles and rules, or apply the migrations it lacks (the database owner)')
    .action(
      action(async (ctx) => {
        const { initWorkspace } = await import('../../core/usecases/workspace-admin.js');
        const result = await initWorkspace({ store: await storeUrl(ctx) });
        const where = `${result.server}/${result.database}`;
        const text =
          result.applied.length === 0
            ? `workspace at ${where} is up to date: schema version ${result.schemaVersion}, nothing applied`
            : `workspace at ${where} ${result.before === null ? 'initialized' : 'migrated'}: schema version ${result.schemaVersion} (applied ${result.applied.join(', ')}); next: curvekeep workspace grant LOGIN --role admin --password-stdin`;
        return { json: result, text };
      }),
    );

  workspace
    .command('grant <login>')
    .description('create a member or change its role (and password): an admin or the owner')
    .requiredOption('--role <role>', 'admin, operator or tech')
    .option('--password-stdin', 'read the member\'s password from stdin (one line); sent as a SCRAM verifier, never in clear')
    .option('--clear-signing-key', 'clear the member\'s registered audit signing key (their keychain lost it); they register a new one at their next change')
    .action(
      action(async (ctx, login: string, opts: { role: string; passwordStdin?: boolean; clearSigningKey?: boolean }) => {
        const { grantMember } = await import('../../core/usecases/workspace-admin.js');
        const { parseMemberRole } = await import('../../core/team/members.js');
        const role = parseMemberRole(opts.role);
        const store = await storeUrl(ctx);
        const password = opts.passwordStdin ? await readPasswordFromStdin() : undefined;
        const result = await grantMember({ store }, { login, role, clearSigningKey: Boolean(opts.clearSigningKey), ...(password === undefined ? {} : { password }) });
        const password_ = result.passwordSet ? 'password set' : result.outcome === 'created' ? 'no password yet: run grant again with --password-stdin before they can log in' : 'password unchanged';
        const key = opts.clearSigningKey ? (result.signingKeyCleared ? '; signing key cleared, a new one is registered at their next change' : '; no signing key was registered') : '';
        return { json: result, text: `${result.login} ${result.outcome} as ${result.role} (${password_})${key}` };
      }),
    );

  workspace
    .command('members')
    .description('the members: login, role, signing key fingerprint')
    .action(
      action(async (ctx) => {
        const { listMembers } = await import('../../core/usecases/workspace-admin.js');
        const members = await listMembers({ store: await storeUrl(ctx) });
        const rows = [['LOGIN', 'ROLE', 'SIGNING KEY']];
        for (const m of members) rows.push([m.login, m.role, m.fingerprint ?? 'not yet registered']);
        return { json: members, text: members.length ? table(rows) : 'no members yet; next: curvekeep workspace grant LOGIN --role admin|operator|tech --password-stdin' };
      }),
    );

  workspace
    .command('status')
    .description('the server, TLS, schema version, revision, and your login and role')
    .action(
      action(async (ctx) => {
        const { workspaceStatus } = await import('../../core/usecases/workspace-admin.js');
        const s = await workspaceStatus({ store: await storeUrl(ctx) });
        const tls = s.tls.encrypted
          ? `${s.tls.protocol ?? '?'} ${s.tls.cipher ?? ''}, ${s.tls.verified ? 'certificate verified (verify-full)' : 'NOT verified'}${s.tls.pinned ? ', key pinned' : ''}`
          : 'none (Unix socket, local)';
        const schema =
          s.schemaVersion === null
            ? 'none (not initialized; the owner runs curvekeep workspace init)'
            : `${s.schemaVersion}${s.schemaVersion === s.expectedSchemaVersion ? '' : ` (this Curvekeep expects ${s.expectedSchemaVersion})`}`;
        const lines = [
          `server:    ${s.server} (PostgreSQL ${s.serverVersion}), database ${s.database}`,
          `tls:       ${tls}`,
          `schema:    ${schema}`,
          `revision:  ${s.revision ?? '-'}${s.lastChange ? ` (last change by ${s.lastChange.by} at ${s.lastChange.at})` : ''}`,
          `you:       ${s.login} (${s.role})${s.signingKeyRegistered === false ? ', signing key not yet registered' : ''}`,
        ];
        return { json: s, text: lines.join('\n') };
      }),
    );
}
