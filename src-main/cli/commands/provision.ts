// `curvekeep provision`: device bundles, the server's allowlist, a manifest and a result per row.
import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { action, table } from '../runner.js';

interface ProvisionOptions {
  csv: string;
  server: string;
  out: string;
  endpoint?: string;
  keepSecrets?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description('bulk device bundles from a CSV (name, endpoint, tags, public_key), a server allowlist, manifest.json and results.csv')
    .requiredOption('--csv <file>', 'the device list; columns name (required), endpoint, tags, public_key')
    .requiredOption('--server <ref>', 'the server the devices connect to (identity or peer)')
    .requiredOption('--out <dir>', 'the output folder (a rerun skips devices whose bundle exists)')
    .option('--endpoint <url>', 'endpoint for rows without one (default: the server\'s)')
    .option('--keep-secrets', 'also keep each device secret in the OS keychain (as an identity of role device)')
    .option('--force', 'replace files in the output folder that Curvekeep did not write (manifest.json, results.csv, allowlist files)')
    .option('--dry-run', 'check the CSV and print what each row would do (create / skip / fail); write nothing')
    .action(
      action(async (ctx, opts: ProvisionOptions) => {
        if (opts.dryRun) {
          const { dryRunProvisioning } = await import('../../core/usecases/provisioning.js');
          const plan = await dryRunProvisioning(ctx.workspace(), { csv: { path: opts.csv }, server: opts.server, outDir: opts.out, endpoint: opts.endpoint ?? null, keepSecrets: Boolean(opts.keepSecrets), force: Boolean(opts.force) });
          const lines = [
            `dry run: nothing was written. ${plan.total} row(s): ${plan.create} to create, ${plan.skip} to skip, ${plan.fail} failing`,
            table([['ROW', 'NAME', 'ACTION', 'DETAIL'], ...plan.rows.map((r) => [String(r.row), r.name, r.action, r.reason])]),
          ];
          return { json: { dryRun: true, ...plan }, text: lines.join('\n') };
        }
        const { runProvisioning } = await import('../../core/usecases/provisioning.js');
        const interactive = Boolean(process.stderr.isTTY) && !ctx.options.json;
        let bar: SingleBar | null = null;
        if (interactive) {
          const progress = await import('cli-progress');
          bar = new progress.SingleBar({ format: 'provisioning [{bar}] {value}/{total} devices', stream: process.stderr, clearOnComplete: true, hideCursor: true }, progress.Presets.shades_classic);
        }
        let started = false;
        let outcome;
        try {
          const { withForceHint } = await import('../force-hint.js');
          outcome = await withForceHint(() => runProvisioning(ctx.workspace(), {
            csv: { path: opts.csv },
            server: opts.server,
            outDir: opts.out,
            endpoint: opts.endpoint ?? null,
            keepSecrets: Boolean(opts.keepSecrets),
            force: Boolean(opts.force),
            onProgress: ({ done, total }) => {
              if (!bar) return;
              if (!started) {
                bar.start(total, done);
                started = true;
              } else bar.update(done);
            },
          }));
        } finally {
          if (started) bar?.stop();
        }
        const { summary: result, failedRows, rows } = outcome;
        const lines = [
          `${result.total} row(s): ${result.ok} provisioned, ${result.skipped} skipped (already provisioned), ${result.failed} failed (batch ${result.batch})`,
          `bundles:   ${result.outDir}/devices/`,
          `allowlist: ${result.allowlist}/ (give it to ${result.server.name}'s authenticator)`,
          `manifest:  ${result.manifest}`,
          `results:   ${result.results}`,
        ];
        if (result.secretsKept) lines.push(`${result.secretsKept} device secret(s) kept in the OS keychain`);
        if (failedRows.length) {
          lines.push('', 'failed rows:', table([['ROW', 'NAME', 'REASON'], ...failedRows.slice(0, 50).map((r) => [String(r.row), r.name, r.reason])]));
          if (failedRows.length > 50) lines.push(`... and ${failedRows.length - 50} more in ${result.results}`);
        }
        return { json: { ...result, failedRows, skippedRows: rows.filter((r) => r.status === 'skipped') }, text: lines.join('\n') };
      }),
    );
}
