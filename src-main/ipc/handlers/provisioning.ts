// Handlers of the provisioning area: the provisioning use case (src-main/core/usecases/) as a job.
// The uploaded CSV's bytes go to the use case, which keeps them in a private temporary file for
// the run. Cancelling stops at the next progress report: bundles written so far are whole (each
// is renamed into place), and a rerun skips them and records them as devices of the server.
import { RefusedError } from '../../core/errors.js';
import type { RowResult } from '../../core/provisioning/plan.js';
import type { provisioningChannels } from '../channels/provisioning.js';
import type { AreaHandlers } from './context.js';
import { chooseFolder, folderOf, handOut } from './folder-handles.js';
import { jobsOf } from './jobs.js';

const PROVISION_JOB = 'provisioning';

function publicRow(row: RowResult) {
  return { row: row.row, name: row.name, status: row.status, reason: row.reason, publicKey: row.publicKey };
}

export const provisioningHandlers: AreaHandlers<typeof provisioningChannels> = {
  'provisioning.servers': async (_args, context) => {
    const { provisioningServers } = await import('../../core/usecases/provisioning.js');
    return { servers: await provisioningServers(context.workspace()) };
  },

  'provisioning.preview': async (args, context) => {
    const outDir = folderOf(context, args.outFolder);
    const { dryRunProvisioning } = await import('../../core/usecases/provisioning.js');
    const plan = await dryRunProvisioning(context.workspace(), {
      csv: { fileName: args.fileName, bytes: Buffer.from(args.base64, 'base64') },
      server: args.server,
      outDir,
      endpoint: args.endpoint ?? null,
      force: args.force === true,
    });
    return {
      total: plan.total,
      create: plan.create,
      skip: plan.skip,
      fail: plan.fail,
      server: { name: plan.server.name },
      rows: plan.rows.map((r) => ({ row: r.row, name: r.name, action: r.action, reason: r.reason })),
    };
  },

  'provisioning.batches': async (_args, context) => {
    const { provisioningBatches } = await import('../../core/usecases/provisioning.js');
    return { batches: await provisioningBatches(context.workspace()) };
  },

  'provisioning.batchFolder': async (args, context) => {
    const { provisioningBatch } = await import('../../core/usecases/provisioning.js');
    const batch = await provisioningBatch(context.workspace(), args.batch);
    return { batch, folder: handOut(context, batch.outDir) };
  },

  'provisioning.chooseFolder': async (_args, context) => ({
    folder: await chooseFolder(context, { title: 'Choose the output folder for the device bundles', secret: true }),
  }),

  'provisioning.start': async (args, context) => {
    // The page names the folder only by the handle it was given when the folder was chosen.
    const outDir = folderOf(context, args.outFolder);
    const ws = context.workspace();
    const { checkProvisioningServer, runProvisioning } = await import('../../core/usecases/provisioning.js');
    // A typo in the server is an answer now, not a failed job later.
    await checkProvisioningServer(ws, args.server);
    const bytes = Buffer.from(args.base64, 'base64');
    const jobId = jobsOf(context).start(PROVISION_JOB, 0, async (control) => {
      const { summary, rows } = await runProvisioning(ws, {
        // Named as uploaded, so that messages about the CSV name the user's file.
        csv: { fileName: args.fileName, bytes },
        server: args.server,
        outDir,
        endpoint: args.endpoint ?? null,
        keepSecrets: args.keepSecrets === true,
        force: args.force === true,
        onProgress: ({ done, total }) => {
          if (control.signal.aborted) throw new RefusedError('provisioning cancelled; bundles written so far are whole, and a rerun skips them');
          control.setTotal(total);
          control.setDone(done);
        },
      });
      control.setDone(summary.total);
      control.publish(rows.map(publicRow));
      control.setSummary({ ...summary, server: { name: summary.server.name, publicKey: summary.server.publicKey } });
    });
    return { jobId, total: 0 };
  },

  'provisioning.progress': async (args, context) => {
    const progress = jobsOf(context).progress<ReturnType<typeof publicRow>>(PROVISION_JOB, args.jobId, args.from ?? 0);
    return { ...progress, summary: progress.summary as never };
  },

  'provisioning.cancel': async (args, context) => ({ jobId: args.jobId, state: jobsOf(context).cancel(PROVISION_JOB, args.jobId) }),
};
