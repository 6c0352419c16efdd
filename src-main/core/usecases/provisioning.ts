// Provisioning as both faces run it: the CLI hands a CSV path, the app the bytes the page
// uploaded (kept in a private temporary file for the run, deleted after it). One set of defaults:
// rows without an endpoint take the server's, secrets are not kept and files Curvekeep did not
// write are not replaced unless asked. The faces only parse arguments and phrase the outcome.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverNamer } from '../devices/devices.js';
import { NotFoundError } from '../errors.js';
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

/** Runs `work` with the CSV as a file: the path given, or the uploaded bytes in a private temporary file. */
async function withCsvFile<T>(csv: ProvisioningCsv, work: (csvPath: string) => Promise<T>): Promise<T> {
  if ('path' in csv) return work(csv.path);
  const folder = await mkdtemp(join(tmpdir(), 'curvekeep-provision-'));
  try {
    const csvPath = join(folder, uploadName(csv.fileName));
    await writeFile(csvPath, csv.bytes, { mode: 0o600 });
    return await work(csvPath);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export async function runProvisioning(ws: Workspace, request: Readonly<ProvisioningRequest>): Promise<ProvisioningOutcome> {
  return withCsvFile(request.csv, async (csvPath) => {
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
  });
}

export type { DryRunResult, DryRunRow } from '../provisioning/provision.js';

/** What provisioning would do with each row of a CSV file, writing nothing anywhere. */
export async function dryRunProvisioning(ws: Workspace, request: Readonly<Omit<ProvisioningRequest, 'onProgress'>>): Promise<DryRunResult> {
  return withCsvFile(request.csv, (csvPath) =>
    dryRunDevices(ws, {
      csvPath,
      serverRef: request.server,
      outDir: request.outDir,
      endpoint: request.endpoint ?? null,
      keepSecrets: request.keepSecrets === true,
      force: request.force === true,
      csvName: 'path' in request.csv ? null : request.csv.fileName,
    }),
  );
}

/** A server devices can be provisioned for: an own server identity, or a peer. */
export interface ProvisioningServer {
  readonly id: string;
  readonly name: string;
  readonly kind: 'identity' | 'peer';
  readonly endpoint: string | null;
}

/** The servers to choose from: own server identities first, then peers. */
export async function provisioningServers(ws: Workspace): Promise<ReadonlyArray<ProvisioningServer>> {
  const { data } = await ws.store.read();
  return [
    ...data.identities.filter((i) => i.role === 'server').map((i) => ({ id: i.id, name: i.name, kind: 'identity' as const, endpoint: i.endpoints[0] ?? null })),
    ...data.peers.map((p) => ({ id: p.id, name: p.name, kind: 'peer' as const, endpoint: p.endpoints?.[0] ?? null })),
  ];
}

/** A past run, as the history lists it (newest first). */
export interface BatchSummary {
  readonly id: string;
  readonly createdAt: string;
  readonly csvName: string;
  readonly server: string;
  readonly serverName: string;
  readonly outDir: string;
  readonly counts: { readonly rows: number; readonly ok: number; readonly skipped: number; readonly failed: number };
  readonly failed: ReadonlyArray<{ readonly row: number; readonly name: string; readonly reason: string }>;
  /** Devices of the batch still active. */
  readonly devices: number;
}

export async function provisioningBatches(ws: Workspace): Promise<ReadonlyArray<BatchSummary>> {
  const { data } = await ws.store.read();
  const serverName = serverNamer(data);
  const active = new Map<string, number>();
  for (const d of data.devices) if (d.state === 'active' && d.batch) active.set(d.batch, (active.get(d.batch) ?? 0) + 1);
  return [...data.batches]
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
    .map((b) => ({ id: b.id, createdAt: b.createdAt, csvName: b.csvName, server: b.server, serverName: serverName(b.server), outDir: b.outDir, counts: b.counts, failed: b.failed, devices: active.get(b.id) ?? 0 }));
}

/** One batch (a retry runs into its folder, for its server). */
export async function provisioningBatch(ws: Workspace, id: string): Promise<BatchSummary> {
  const batch = (await provisioningBatches(ws)).find((b) => b.id === id);
  if (!batch) throw new NotFoundError(`no provisioning batch ${JSON.stringify(id)}`);
  return batch;
}
