// Bulk device provisioning: a CSV of devices becomes, in an output folder,
//   devices/NAME/    the device's bundle (bundle-writer.ts)
//   allowlist/       the server's allowlist: NAME.key public files (zcertstore and pyzmq read them)
//   manifest.json, results.csv (output.ts)
// and the devices are recorded as devices of the server with the run's batch, all in one store
// update (recording.ts). The rows are checked first (plan.ts); a rerun skips devices whose bundle
// exists and changes none of their files, and a device already provisioned for the server in
// another folder is skipped naming its batch and folder. A dry run only plans (dryRunDevices).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublicKey } from '../curve/keys.js';
import { readInputFile } from '../files.js';
import { qrRenderer } from '../formats/qr/bulk-renderer.js';
import type { Workspace } from '../workspace.js';
import { BUNDLE_BATCH, drawAndWrite, nextTurn } from './bundle-pipeline.js';
import { BundleWriter, type Made } from './bundle-writer.js';
import { readDeviceRows } from './device-csv.js';
import type { AllowEntry } from '../devices/devices.js';
import { formatCertFile } from '../formats/cert-file.js';
import { ownedNames } from '../owned-folder.js';
import { allowFileOf, manifestDevice, ProvisionOutput } from './output.js';
import { type Device, failRow, findServer, planDevices, reasonOf, type RowResult, type RowStatus } from './plan.js';
import { crashPoint, recordDevices } from './recording.js';

export { PROVISION_TAG } from './recording.js';
export type { RowResult, RowStatus } from './plan.js';

const MAX_CSV_BYTES = 64 * 1024 * 1024;

export interface ProvisionRequest {
  readonly csvPath: string;
  /** The server the devices connect to: an own identity or a peer (its public key is used). */
  readonly serverRef: string;
  readonly outDir: string;
  /** For rows without an endpoint; default: the server's first endpoint. */
  readonly endpoint?: string | null;
  /** Also keep each made device secret in the keychain, as an identity of role device. */
  readonly keepSecrets?: boolean;
  /** Replace files of the output folder that Curvekeep did not write (a foreign manifest.json, results.csv, allowlist file). */
  readonly force?: boolean;
  /** The name the user knows the CSV by (an upload's), recorded in the batch. */
  readonly csvName?: string | null;
  readonly onProgress?: (progress: Readonly<ProvisionProgress>) => void;
}

export interface ProvisionProgress {
  readonly done: number;
  readonly total: number;
}

export interface ProvisionResult {
  readonly outDir: string;
  readonly server: { readonly name: string; readonly publicKey: PublicKey };
  readonly total: number;
  readonly ok: number;
  readonly skipped: number;
  readonly failed: number;
  readonly rows: ReadonlyArray<RowResult>;
  readonly manifest: string;
  readonly results: string;
  readonly allowlist: string;
  /** Devices newly recorded for the server (rerun: bundles whose device was missing count too). */
  readonly devicesAdded: number;
  readonly secretsKept: number;
  /** The batch recorded for this run. */
  readonly batch: string | null;
}

export async function provisionDevices(ws: Workspace, request: Readonly<ProvisionRequest>): Promise<ProvisionResult> {
  const text = (await readInputFile(request.csvPath, MAX_CSV_BYTES)).toString('utf8');
  const rows = readDeviceRows(text, request.csvName || request.csvPath);
  const { data } = await ws.store.read();
  const server = findServer(data.identities, data.peers, request.serverRef);
  const now = ws.now();
  const createdAt = now.toISOString();
  const defaultEndpoint = request.endpoint?.trim() || server.endpoint;
  const keepSecrets = request.keepSecrets === true;

  const output = await ProvisionOutput.open(request.outDir, server, request.force === true);
  const { results, toMake, toSkip } = planDevices(rows, {
    server,
    defaultEndpoint,
    keepSecrets,
    peers: data.peers,
    identities: data.identities,
    devices: data.devices,
    batches: data.batches,
    existingBundles: output.existingBundles,
    foreignAllowFiles: output.foreignAllowFiles,
    allowDir: output.allowDir,
    allowFileOf,
  });
  const fail = (device: Device, reason: string): void => failRow(results, device.index, device.row, device.name, reason);

  const total = rows.length;
  let done = rows.length - toMake.length - toSkip.length;
  const progress = (): void => request.onProgress?.({ done, total });
  progress();

  const writer = new BundleWriter(output, { server, serverEndpoint: defaultEndpoint, now, keepSecrets });
  await writer.writeServerCert();
  // Every allowlist file this run may write, recorded as Curvekeep's before any is written.
  await output.allowFolder.claim([...toMake, ...toSkip].map((d) => allowFileOf(d.name)).filter((f) => !output.foreignAllowFiles.has(f)));

  // Skipped devices: their files stay as they are; their key comes from their bundle.
  const made: Made[] = [];
  const identityNames = new Set(data.identities.map((i) => i.name));
  // Read in the calling thread (a rerun reads one file per device), a batch at a time, with a
  // turn for other work after each.
  for (let at = 0; at < toSkip.length; at += BUNDLE_BATCH) {
    for (const device of toSkip.slice(at, at + BUNDLE_BATCH)) {
      try {
        const publicKey = writer.existingKey(device);
        if (device.publicKey && device.publicKey !== publicKey) {
          fail(device, `its bundle exists already with another public key (${publicKey}); it was left as it is`);
        } else {
          results[device.index] = { row: device.row, name: device.name, status: 'skipped', reason: 'bundle exists already; left unchanged', publicKey };
          // A run killed before its secrets were kept: this run keeps them, from the bundle.
          const kept = keepSecrets && !identityNames.has(device.name) ? writer.existingSecret(device, publicKey) : null;
          made.push({ device, publicKey, secretKey: kept?.secretKey ?? null, identityId: kept?.identityId ?? null, createdAt: output.earlier.get(device.name)?.createdAt ?? null });
        }
      } catch (error) {
        fail(device, `its bundle folder exists but is damaged (${reasonOf(error)}); remove ${output.devicesDir}/${device.name} and run again`);
      }
      done += 1;
    }
    progress();
    await nextTurn();
  }

  // New devices, in batches drawn by the QR worker and by this thread (bundle-pipeline.ts).
  const renderer = qrRenderer();
  let written = 0;
  try {
    await drawAndWrite(renderer, toMake, {
      prepare: (device) => writer.prepare(device),
      write: (item, png) => {
        const { device } = item;
        try {
          made.push(writer.write(item, png, createdAt));
          results[device.index] = { row: device.row, name: device.name, status: 'ok', reason: '', publicKey: item.publicKey };
          crashPoint('rows', ++written);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          fail(device, code === 'ENOTEMPTY' || code === 'EEXIST' ? 'its bundle appeared meanwhile (another run?); left as it is' : reasonOf(error));
        }
        done += 1;
      },
      written: progress,
    });
  } finally {
    await renderer.close();
  }
  // In the order of the CSV (batches are written out of order, skipped devices as they were read).
  made.sort((a, b) => a.device.index - b.device.index);
  progress();

  // A device removed from the server whose bundle is still here stays removed: not recorded
  // again, and not put back on this folder's allowlist.
  const removed = new Set(data.devices.filter((d) => d.server === server.id && d.state === 'removed').map((d) => `${d.name}\n${d.publicKey}`));
  const stillRemoved = made.filter((m) => removed.has(`${m.device.name}\n${m.publicKey}`) && !data.devices.some((d) => d.server === server.id && d.state === 'active' && d.name === m.device.name));
  for (const m of stillRemoved) {
    results[m.device.index] = { row: m.device.row, name: m.device.name, status: 'skipped', reason: 'removed from the server; its bundle is left as it is, and it stays off the allowlist', publicKey: m.publicKey };
  }
  const recordable = made.filter((m) => !stillRemoved.includes(m));
  await writer.restoreAllowEntries(recordable);

  const { devicesAdded, secretsKept, batch, allowlist } = await recordDevices(ws, recordable, { server, csvPath: request.csvPath, csvName: request.csvName ?? null, outDir: request.outDir, keepSecrets }, results);
  await syncAllowFolder(output, allowlist, ws.now());

  const devices = made
    .filter((m) => results[m.device.index]!.status !== 'failed')
    .map((m) => manifestDevice({ ...m.device, ownKey: m.device.publicKey !== null }, m.publicKey, m.createdAt));
  const manifestPath = await output.writeManifest(server, defaultEndpoint ?? null, createdAt, devices);
  const resultsPath = await output.writeResults(results);

  const count = (status: RowStatus): number => results.filter((r) => r.status === status).length;
  return {
    outDir: request.outDir,
    server: { name: server.name, publicKey: server.publicKey },
    total,
    ok: count('ok'),
    skipped: count('skipped'),
    failed: count('failed'),
    rows: results,
    manifest: manifestPath,
    results: resultsPath,
    allowlist: output.allowDir,
    devicesAdded,
    secretsKept,
    batch: batch.id,
  };
}

/**
 * The output's allowlist folder is the server's allowlist (`entries`, as the run's recording left
 * it): its active devices (of every batch) and the peers allowed to connect. Missing files are added; files this folder's provisioning
 * wrote for keys no longer allowed (a removed device) are removed; files Curvekeep did not write
 * are left alone.
 */
async function syncAllowFolder(output: ProvisionOutput, entries: ReadonlyArray<AllowEntry>, now: Date): Promise<void> {
  const wanted = new Set(entries.map((e) => allowFileOf(e.name)));
  const present = new Set(await names(output.allowDir));
  const missing = entries.filter((e) => !present.has(allowFileOf(e.name)) && !output.foreignAllowFiles.has(allowFileOf(e.name)));
  if (missing.length > 0) {
    await output.allowFolder.claim(missing.map((e) => allowFileOf(e.name)));
    const files = missing.map((e) => ({ name: allowFileOf(e.name), content: formatCertFile({ publicKey: e.publicKey, metadata: { name: e.name, ...(e.endpoint ? { endpoint: e.endpoint } : {}) } }, 'zcert', { secret: false, now }) }));
    await output.allowFolder.writeAll(files, 0o644);
  }
  await output.allowFolder.removeStale(wanted, (name) => name.endsWith('.key'));
}

export type DryRunAction = 'create' | 'skip' | 'fail';

export interface DryRunRow {
  readonly row: number;
  readonly name: string;
  readonly action: DryRunAction;
  /** Why a row is skipped or fails; empty for create. */
  readonly reason: string;
  /** A skipped device: the batch and folder it lives in. */
  readonly batch: string | null;
  readonly folder: string | null;
}

export interface DryRunResult {
  readonly outDir: string;
  readonly server: { readonly name: string; readonly publicKey: PublicKey };
  readonly total: number;
  readonly create: number;
  readonly skip: number;
  readonly fail: number;
  readonly rows: ReadonlyArray<DryRunRow>;
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

/**
 * What a run would do with each row, writing nothing: not the data folder, not the keychain, not
 * the output folder (which is only read, and need not exist).
 */
export async function dryRunDevices(ws: Workspace, request: Readonly<Pick<ProvisionRequest, 'csvPath' | 'serverRef' | 'outDir' | 'endpoint' | 'keepSecrets' | 'force' | 'csvName'>>): Promise<DryRunResult> {
  const text = (await readInputFile(request.csvPath, MAX_CSV_BYTES)).toString('utf8');
  const rows = readDeviceRows(text, request.csvName || request.csvPath);
  const { data } = await ws.store.read();
  const server = findServer(data.identities, data.peers, request.serverRef);
  const devicesDir = join(request.outDir, 'devices');
  const allowDir = join(request.outDir, 'allowlist');
  const bundles = (await names(devicesDir)).filter((n) => !n.startsWith('.'));
  const allowFiles = await names(allowDir);
  const owned = request.force ? null : await ownedNames(allowDir);
  const { results, toMake, toSkip } = planDevices(rows, {
    server,
    defaultEndpoint: request.endpoint?.trim() || server.endpoint,
    keepSecrets: request.keepSecrets === true,
    peers: data.peers,
    identities: data.identities,
    devices: data.devices,
    batches: data.batches,
    existingBundles: new Set(bundles),
    foreignAllowFiles: new Set(owned ? allowFiles.filter((f) => !f.startsWith('.') && !owned.has(f)) : []),
    allowDir,
    allowFileOf,
  });
  const out: DryRunRow[] = new Array(rows.length);
  for (const d of toMake) out[d.index] = { row: d.row, name: d.name, action: 'create', reason: '', batch: null, folder: null };
  const here = new Map(data.devices.filter((d) => d.server === server.id && d.state === 'active').map((d) => [d.name, d]));
  for (const d of toSkip) {
    const known = here.get(d.name);
    out[d.index] = { row: d.row, name: d.name, action: 'skip', reason: `bundle exists already in ${join(devicesDir, d.name)}; left unchanged`, batch: known?.batch ?? null, folder: request.outDir };
  }
  results.forEach((r, i) => {
    if (!r) return;
    out[i] = r.status === 'failed'
      ? { row: r.row, name: r.name, action: 'fail', reason: r.reason, batch: null, folder: null }
      : { row: r.row, name: r.name, action: 'skip', reason: r.reason, batch: r.existing?.batch ?? null, folder: r.existing?.folder ?? null };
  });
  const count = (action: DryRunAction): number => out.filter((r) => r.action === action).length;
  return { outDir: request.outDir, server: { name: server.name, publicKey: server.publicKey }, total: rows.length, create: count('create'), skip: count('skip'), fail: count('fail'), rows: out };
}
