// Provisioning as both faces run it: the CLI hands a CSV path, the app the bytes the page
// uploaded (kept in a private temporary file for the run, deleted after it). One set of defaults:
// rows without an endpoint take the server's, secrets are not kept and files Curvekeep did not
// write are not replaced unless asked. The faces only parse arguments and phrase the outcome.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findServer } from '../provisioning/plan.js';
import { type DryRunResult, dryRunDevices, type ProvisionProgress, type ProvisionResult, provisionDevices, type RowResult } from '../provisioning/provision.js';
import type { Workspace } from '../workspace.js';

export type ProvisioningCsv = { readonly path: string } | { readonly fileName: string; readonly bytes: Uint8Array };

export interface ProvisioningRequest {
  readonly csv: ProvisioningCsv;
  /** An own identity or a peer, by id or name. */
  readonly server: string;
  readonly outDir: string;
  readonly endpoint?: string | null;
  readonly keepSecrets?: boolean;
  readonly force?: boolean;
  readonly onProgress?: (progress: Readonly<ProvisionProgress>) => void;
}

/** The run's counts and files, without its rows (the outcome carries them apart). */
export type ProvisioningSummary = Omit<ProvisionResult, 'rows'>;

export interface ProvisioningOutcome {
  readonly summary: ProvisioningSummary;
  /** One per input row, in order. */
  readonly rows: ReadonlyArray<RowResult>;
  readonly failedRows: ReadonlyArray<RowResult>;
}

/** Refuses an unknown server at once (NotFoundError), before a long run is started. */
export async function checkProvisioningServer(ws: Workspace, server: string): Promise<void> {
  const { data } = await ws.store.read();
  findServer(data.identities, data.peers, server);
}

/** An uploaded file's name, made safe to name a temporary file, so that messages name the user's file. */
function uploadName(fileName: string): string {
  return fileName.replace(/^.*[\\/]/, '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '') || 'devices.csv';
}

export async function runProvisioning(ws: Workspace, request: Readonly<ProvisioningRequest>): Promise<ProvisioningOutcome> {
  let folder: string | null = null;
  let csvPath: string;
  if ('path' in request.csv) {
    csvPath = request.csv.path;
  } else {
    folder = await mkdtemp(join(tmpdir(), 'curvekeep-provision-'));
    csvPath = join(folder, uploadName(request.csv.fileName));
    await writeFile(csvPath, request.csv.bytes, { mode: 0o600 });
  }
  try {
    const result = await provisionDevices(ws, {
      csvPath,
      serverRef: request.server,
      outDir: request.outDir,
      endpoint: request.endpoint ?? null,
      keepSecrets: request.keepSecrets === true,
      force: request.force === true,
      csvName: 'path' in request.csv ? null : request.csv.fileName,
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    });
    const { rows, ...summary } = result;
    return { summary, rows, failedRows: rows.filter((r) => r.status === 'failed') };
  } finally {
    if (folder) await rm(folder, { recursive: true, force: true });
  }
}

export type { DryRunResult, DryRunRow } from '../provisioning/provision.js';

/** What provisioning would do with each row of a CSV file, writing nothing anywhere. */
export async function dryRunProvisioning(ws: Workspace, request: Readonly<Omit<ProvisioningRequest, 'onProgress' | 'csv'> & { readonly csv: { readonly path: string } }>): Promise<DryRunResult> {
  return dryRunDevices(ws, {
    csvPath: request.csv.path,
    serverRef: request.server,
    outDir: request.outDir,
    endpoint: request.endpoint ?? null,
    keepSecrets: request.keepSecrets === true,
    force: request.force === true,
  });
}
