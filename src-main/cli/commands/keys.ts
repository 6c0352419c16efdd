// `curvekeep keys ...`: own identities.
import type { Command} from 'commander';
import { Option } from 'commander';
import { action, collect, table, UsageError } from '../runner.js';
import type { IdentityView } from '../../core/identities/identity-view.js';
import { ROLES, type Role } from '../../common/roles.js';
import { EXPORT_FORMATS } from '../../common/formats.js';


export function describeIdentity(i: IdentityView): string {
  const lines = [
    `id:          ${i.id}`,
    `name:        ${i.name}`,
    `role:        ${i.role}`,
    `public key:  ${i.publicKey}`,
    `safety code: ${i.safetyCode}`,
    `state:       ${i.state} (generation ${i.generation})`,
    `age:         ${i.ageDays} days`,
    `due:         ${i.dueAt ? `${i.dueAt.slice(0, 10)} (${i.due})` : 'never'}`,
  ];
  if (i.endpoints.length) lines.push(`endpoints:   ${i.endpoints.join(', ')}`);
  if (i.tags.length) lines.push(`tags:        ${i.tags.join(', ')}`);
  if (i.pending) lines.push(`ROTATION IN PROGRESS: pending generation ${i.pending.generation}, key ${i.pending.publicKey}`);
  return lines.join('\n');
}

export function parseDays(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--rotate-every takes a whole number of days, got ${JSON.stringify(value)}`);
  return Number(value);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new UsageError('standard input is too large for a key file (over 1 MiB)');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('own identities: key pairs whose secret stays in the OS keychain');

  keys
    .command('generate')
    .description('make a new identity')
    .requiredOption('--name <name>', 'a unique name')
    .addOption(new Option('--role <role>', 'what it is for').choices([...ROLES]).default('client'))
    .option('--rotate-every <days>', 'rotation period in days (default by role)')
    .option('--endpoint <url>', 'where it listens or connects (repeatable)', collect)
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .action(
      action(async (ctx, opts: { name: string; role: Role; rotateEvery?: string; endpoint?: string[]; tag?: string[] }) => {
        const { generateIdentity } = await import('../../core/identities/identities.js');
        const identity = await generateIdentity(ctx.workspace(), {
          name: opts.name,
          role: opts.role,
          ...(opts.rotateEvery !== undefined ? { rotateEveryDays: parseDays(opts.rotateEvery) } : {}),
          endpoints: opts.endpoint ?? [],
          tags: opts.tag ?? [],
        });
        return { json: identity, text: describeIdentity(identity) };
      }),
    );

  keys
    .command('list')
    .description('identities with state, age and due date')
    .action(
      action(async (ctx) => {
        const { identityRows } = await import('../../core/identities/identities.js');
        const identities = await identityRows(ctx.workspace());
        const text = (): string => {
          if (!identities.length) return 'no identities yet: curvekeep keys generate --name NAME';
          const rows = [['ID', 'NAME', 'ROLE', 'STATE', 'AGE', 'DUE', 'PUBLIC KEY']];
          for (const i of identities) {
            rows.push([i.id, i.name, i.role, i.pending ? `${i.state}+pending` : i.state, `${i.ageDays}d`, i.dueAt ? `${i.dueAt.slice(0, 10)} ${i.due}` : 'never', i.publicKey]);
          }
          return table(rows);
        };
        return { json: identities, text };
      }, { readsStore: true }),
    );

  keys
    .command('show <ref>')
    .description('one identity')
    .action(
      action(async (ctx, ref: string) => {
        const { showIdentity } = await import('../../core/identities/identities.js');
        const identity = await showIdentity(ctx.workspace(), ref);
        return { json: identity, text: describeIdentity(identity) };
      }, { readsStore: true }),
    );

  keys
    .command('export <ref>')
    .description('public material (or, with --secret, the secret too, into a 0600 file)')
    .addOption(new Option('--format <format>', 'output format').choices([...EXPORT_FORMATS]).makeOptionMandatory())
    .option('--secret', 'include the secret key (zcert, pyzmq, json; needs --out)')
    .option('--out <path>', 'a file, or a folder for the default file name')
    .option('--force', 'overwrite an existing file')
    .action(
      action(async (ctx, ref: string, opts: { format: 'zcert'; secret?: boolean; out?: string; force?: boolean }) => {
        const { exportIdentity } = await import('../../core/identities/identity-export.js');
        const result = await exportIdentity(ctx.workspace(), ref, { format: opts.format, secret: Boolean(opts.secret), out: opts.out ?? null, overwrite: Boolean(opts.force) });
        const text = result.content ?? result.files.map((f) => `wrote ${f}`).join('\n') + (result.secretIncluded ? '\nthe secret key is in the file ending in _secret (mode 0600): move it to its device and delete it here' : '');
        return { json: result, text };
      }),
    );

  keys
    .command('import <path>')
    .description('a file holding a secret (zcert _secret, pyzmq .key_secret, json) becomes an identity; "-" reads standard input')
    .option('--name <name>', 'the identity\'s name (default: from the file)')
    .addOption(new Option('--role <role>', 'what it is for').choices([...ROLES]).default('client'))
    .option('--rotate-every <days>', 'rotation period in days')
    .action(
      action(async (ctx, path: string, opts: { name?: string; role: Role; rotateEvery?: string }) => {
        const { importIdentity } = await import('../../core/identities/identity-export.js');
        const { readInputFile } = await import('../../core/files.js');
        const text = path === '-' ? await readStdin() : (await readInputFile(path, 1024 * 1024)).toString('utf8');
        const identity = await importIdentity(ctx.workspace(), {
          text,
          source: path === '-' ? 'stdin' : path,
          name: opts.name ?? null,
          role: opts.role,
          ...(opts.rotateEvery !== undefined ? { rotateEveryDays: parseDays(opts.rotateEvery) } : {}),
        });
        return { json: identity, text: `${describeIdentity(identity)}\nthe secret key is now in the OS keychain; delete the file you imported from` };
      }),
    );

  keys
    .command('delete <ref>')
    .description('remove an identity and its keychain items')
    .option('--yes', 'confirm')
    .action(
      action(async (ctx, ref: string, opts: { yes?: boolean }) => {
        if (!opts.yes) throw new UsageError(`deleting ${ref} destroys its secret key for good; repeat with --yes to confirm`);
        const { deleteIdentity } = await import('../../core/identities/identities.js');
        const deleted = await deleteIdentity(ctx.workspace(), ref);
        return { json: deleted, text: `deleted ${deleted.name} (${deleted.id}) and ${deleted.secretsRemoved} keychain item(s)` };
      }),
    );
}
