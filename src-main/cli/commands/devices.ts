// `curvekeep devices`: the devices provisioned for our servers (not peers: never swept or tested
// from here). list / show / remove / reissue; each parses, calls core/usecases/devices and phrases.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { action, table, UsageError } from '../runner.js';

export function registerDevices(program: Command): void {
  const devices = program.command('devices').description("devices provisioned for our servers (on their server's allowlist; not peers)");

  devices
    .command('list')
    .description('active devices, optionally of one server, batch or tag')
    .option('--server <ref>', 'only the devices of this server (identity or peer)')
    .option('--batch <id>', 'only the devices of this provisioning batch')
    .option('--tag <tag>', 'only devices with this tag')
    .option('--all', 'removed devices too')
    .action(
      action(async (ctx, opts: { server?: string; batch?: string; tag?: string; all?: boolean }) => {
        const { listDevices } = await import('../../core/usecases/devices.js');
        const list = await listDevices(ctx.workspace(), { server: opts.server ?? null, batch: opts.batch ?? null, tag: opts.tag ?? null, includeRemoved: Boolean(opts.all) });
        if (ctx.options.json) return { json: list, text: '' };
        const rows = [['ID', 'NAME', 'SERVER', 'BATCH', 'STATE', 'TAGS', 'KEY']];
        for (const d of list.devices) rows.push([d.id, d.name, d.serverName, d.batch ?? '-', d.reissuing ? `${d.state} (reissuing)` : d.state, d.tags.join(',') || '-', `${d.shortKey}...`]);
        return { json: list, text: list.total ? table(rows) : 'no devices yet: curvekeep provision --csv FILE --server SERVER --out DIR' };
      }, { readsStore: true }),
    );

  devices
    .command('show <ref>')
    .description('one device (id or name)')
    .action(
      action(async (ctx, ref: string) => {
        const { showDevice } = await import('../../core/usecases/devices.js');
        const d = await showDevice(ctx.workspace(), ref);
        const lines = [
          `${d.name} (${d.id})`,
          `  server:      ${d.serverName}`,
          `  state:       ${d.state}${d.removedAt ? ` since ${d.removedAt}` : ''}`,
          `  public key:  ${d.publicKey}`,
          `  safety code: ${d.safetyCode}`,
          `  batch:       ${d.batch ?? '-'}${d.batchInfo ? ` (${d.batchInfo.csvName}, ${d.batchInfo.createdAt})` : ''}`,
          `  bundle:      ${d.bundleDir ?? '-'}`,
          `  tags:        ${d.tags.join(', ') || '-'}`,
        ];
        if (d.previousPublicKey) lines.push(`  reissuing:   old key ${d.previousPublicKey} still allowed until: curvekeep devices reissue ${d.name} --finish`);
        return { json: d, text: lines.join('\n') };
      }),
    );

  devices
    .command('remove <ref>')
    .description("mark a device removed: it leaves its server's allowlist at the next write")
    .option('--yes', 'confirm')
    .action(
      action(async (ctx, ref: string, opts: { yes?: boolean }) => {
        if (!opts.yes) throw new UsageError(`removing device ${ref} takes it off its server's allowlist: run again with --yes`);
        const { removeDevice } = await import('../../core/usecases/devices.js');
        const d = await removeDevice(ctx.workspace(), ref, true);
        return { json: d, text: `removed ${d.name} (${d.id}); it leaves ${d.serverName}'s allowlist at the next write: curvekeep peers allowlist --server ${d.serverName} --out DIR` };
      }),
    );

  devices
    .command('reissue [ref]')
    .description('new key pairs and bundles for a device or a batch; the old keys stay allowed until --finish')
    .option('--batch <id>', 'every active device of this batch')
    .option('--out <dir>', 'the folder for the new bundles (default: ./reissue-TIME)')
    .option('--force', 'replace files in the output folder that Curvekeep did not write')
    .option('--finish', 'the devices have their new bundles: take the old keys off the allowlist (at its next write)')
    .action(
      action(async (ctx, ref: string | undefined, opts: { batch?: string; out?: string; force?: boolean; finish?: boolean }) => {
        const { reissueDevices } = await import('../../core/usecases/devices.js');
        const outDir = opts.finish ? null : resolve(opts.out ?? `reissue-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`);
        const r = await reissueDevices(ctx.workspace(), { device: ref ?? null, batch: opts.batch ?? null, outDir, force: Boolean(opts.force), finish: Boolean(opts.finish) });
        const target = ref ?? `--batch ${opts.batch}`;
        const text = r.finished
          ? `finished the reissue of ${r.devices.length} device(s); their old keys leave the allowlist at its next write`
          : [`reissued ${r.devices.length} device(s); new bundles in ${r.outDir}/devices/`, `the old keys stay allowed until: curvekeep devices reissue ${target} --finish`].join('\n');
        return { json: r, text };
      }),
    );
}
