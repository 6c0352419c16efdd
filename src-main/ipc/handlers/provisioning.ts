// Handlers of the provisioning area: `provisionDevices` (src-main/core/provisioning/) as a job.
// The uploaded CSV goes to a private temporary file for the run and is deleted after it.
// Cancelling stops at the next progress report: bundles written so far are whole (each is renamed
// into place), and a rerun skips them and records them as peers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RefusedError } from '../../core/errors.js';
import type { RowResult } from '../../core/provisioning/provision.js';
import type { provisioningChannels } from '../channels/provisioning.js';
import type { AreaHandlers } from './context.js';
import { chooseFolder, folderOf } from './folder-handles.js';
import { jobsOf } from './jobs.js';

const PROVISION_JOB = 'provisioning';

function publicRow(row: RowResult) {
  return { row: row.row, name: row.name, status: row.status, reason: row.reason, publicKey: row.publicKey };
}

export const provisioningHandlers: AreaHandlers<typeof provisioningChannels> = {
  'provisioning.chooseFolder': async (_args, context) => ({
    folder: await chooseFolder(context, { title: 'Choose the output folder for the device bundles', secret: true }),
  }),

  'provisioning.start': async (args, context) => {
    // The page names the folder only by the handle it was given when the folder was chosen.
    const outDir = folderOf(context, args.outFolder);
    const ws = context.workspace();
    const { findIdentity } = await import('../../core/identities/identities.js');
    const { data } = await ws.store.read();
    // A typo in the server is an answer now, not a failed job later.
    try {
      findIdentity(data.identities, args.server);
    } catch {
      const { findPeer } = await import('../../core/peers/peers.js');
      findPeer(data.peers, args.server);
    }
    const { provisionDevices } = await import('../../core/provisioning/provision.js');
    const bytes = Buffer.from(args.base64, 'base64');
    const folder = await mkdtemp(join(tmpdir(), 'curvekeep-provision-'));
    // Named as uploaded, so that messages about the CSV name the user's file.
    const safeName = args.fileName.replace(/^.*[\\/]/, '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '') || 'devices.csv';
    const csvPath = join(folder, safeName);
    await writeFile(csvPath, bytes, { mode: 0o600 });
    let jobId: string;
    try {
      jobId = jobsOf(context).start(PROVISION_JOB, 0, async (control) => {
        try {
          const result = await provisionDevices(ws, {
            csvPath,
            serverRef: args.server,
            outDir,
            force: args.force === true,
            ...(args.endpoint ? { endpoint: args.endpoint } : {}),
            keepSecrets: args.keepSecrets === true,
            onProgress: ({ done, total }) => {
              if (control.signal.aborted) throw new RefusedError('provisioning cancelled; bundles written so far are whole, and a rerun skips them');
              control.setTotal(total);
              control.setDone(done);
            },
          });
          control.setDone(result.total);
          control.publish(result.rows.map(publicRow));
          control.setSummary({
            outDir: result.outDir,
            server: { name: result.server.name, publicKey: result.server.publicKey },
            total: result.total,
            ok: result.ok,
            skipped: result.skipped,
            failed: result.failed,
            manifest: result.manifest,
            results: result.results,
            allowlist: result.allowlist,
            peersAdded: result.peersAdded,
            secretsKept: result.secretsKept,
          });
        } finally {
          await rm(folder, { recursive: true, force: true });
        }
      });
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
    return { jobId, total: 0 };
  },

  'provisioning.progress': async (args, context) => {
    const progress = jobsOf(context).progress<ReturnType<typeof publicRow>>(PROVISION_JOB, args.jobId, args.from ?? 0);
    return { ...progress, summary: progress.summary as never };
  },

  'provisioning.cancel': async (args, context) => ({ jobId: args.jobId, state: jobsOf(context).cancel(PROVISION_JOB, args.jobId) }),
};
