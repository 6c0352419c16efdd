// Devices as both faces use them: list (lean rows, filtered and paged), show, remove, reissue. A
// removed device leaves its server's allowlist at the next write; a reissue gives devices new key
// pairs and bundles while their old keys stay allowed until the reissue is finished.
import type { PublicKey } from '../curve/keys.js';
import { safetyCode } from '../curve/safety-code.js';
import { InvalidInputError, NotFoundError, RefusedError } from '../errors.js';
import { filterDevices, findDevice, findDeviceServer, serverNamer } from '../devices/devices.js';
import { qrRenderer } from '../formats/qr/bulk-renderer.js';
import { drawAndWrite } from '../provisioning/bundle-pipeline.js';
import { BundleWriter } from '../provisioning/bundle-writer.js';
import { allowFileOf, manifestDevice, ProvisionOutput } from '../provisioning/output.js';
import { findServer, type Device as PlanDevice, type RowResult } from '../provisioning/plan.js';
import type { Batch, Device } from '../store/document.js';
import type { Workspace } from '../workspace.js';

export interface DeviceRow {
  readonly id: string;
  readonly name: string;
  readonly server: string;
  readonly serverName: string;
  readonly batch: string | null;
  readonly state: Device['state'];
  readonly tags: ReadonlyArray<string>;
  /** The first 8 characters of the public key. */
  readonly shortKey: string;
  /** A reissue waits to be finished (the old key is still allowed). */
  readonly reissuing: boolean;
}

export interface DeviceListRequest {
  /** A server by id or name. */
  readonly server?: string | null;
  readonly batch?: string | null;
  readonly tag?: string | null;
  readonly text?: string | null;
  readonly includeRemoved?: boolean;
  /** Only devices in this state (`removed` implies includeRemoved). */
  readonly state?: Device['state'] | null;
  readonly offset?: number;
  /** Default: all. */
  readonly limit?: number | null;
}

export interface DeviceList {
  readonly total: number;
  readonly offset: number;
  readonly devices: ReadonlyArray<DeviceRow>;
}

/** A server that has devices, for the Devices view's server filter. */
export interface DeviceServer {
  readonly id: string;
  readonly name: string;
}

/**
 * The servers devices were provisioned for (active or removed), by name: what the server filter
 * offers. Not every server and peer: a store with 10,000 peers made a 10,000-option list that
 * froze the page for half a second as it rendered, and offered servers with no device at all.
 */
export async function deviceServers(ws: Workspace): Promise<ReadonlyArray<DeviceServer>> {
  const { data } = await ws.store.read();
  const nameOf = serverNamer(data);
  const ids = new Set(data.devices.map((d) => d.server));
  return [...ids].map((id) => ({ id, name: nameOf(id) })).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export async function listDevices(ws: Workspace, request: Readonly<DeviceListRequest> = {}): Promise<DeviceList> {
  const { data } = await ws.store.read();
  const server = request.server ? findDeviceServer(data, request.server).id : null;
  if (request.batch && !data.batches.some((b) => b.id === request.batch)) throw new NotFoundError(`no provisioning batch ${JSON.stringify(request.batch)}`);
  const matching = filterDevices(data.devices, { server, batch: request.batch ?? null, tag: request.tag ?? null, text: request.text ?? null, includeRemoved: request.includeRemoved === true || request.state === 'removed' });
  const found = request.state ? matching.filter((d) => d.state === request.state) : matching;
  const offset = Math.max(0, request.offset ?? 0);
  const page = request.limit == null ? found.slice(offset) : found.slice(offset, offset + Math.max(0, request.limit));
  const serverName = serverNamer(data);
  return {
    total: found.length,
    offset,
    devices: page.map((d) => ({
      id: d.id,
      name: d.name,
      server: d.server,
      serverName: serverName(d.server),
      batch: d.batch,
      state: d.state,
      tags: d.tags,
      shortKey: d.publicKey.slice(0, 8),
      reissuing: d.previousPublicKey !== undefined,
    })),
  };
}

export interface DeviceView extends Device {
  readonly serverName: string;
  readonly safetyCode: string;
  readonly batchInfo: Batch | null;
}

function view(device: Device, serverName: (serverId: string) => string, batches: ReadonlyArray<Batch>): DeviceView {
  return { ...device, serverName: serverName(device.server), safetyCode: safetyCode(device.publicKey as PublicKey), batchInfo: batches.find((b) => b.id === device.batch) ?? null };
}

export async function showDevice(ws: Workspace, ref: string): Promise<DeviceView> {
  const { data } = await ws.store.read();
  return view(findDevice(data.devices, ref), serverNamer(data), data.batches);
}

/** Marks a device removed: it leaves its server's allowlist at the next write (needs confirmation). */
export async function removeDevice(ws: Workspace, ref: string, confirmed: boolean): Promise<DeviceView> {
  if (!confirmed) throw new RefusedError('removing a device needs confirmation');
  return ws.store.update((tx) => {
    const device = findDevice(tx.data.devices, ref);
    if (device.state === 'removed') return view(device, serverNamer(tx.data), tx.data.batches);
    device.state = 'removed';
    device.removedAt = tx.now.toISOString();
    delete device.previousPublicKey;
    tx.audit({ action: 'device.removed', subject: device.name, details: { id: device.id, server: device.server, publicKey: device.publicKey } });
    return view(device, serverNamer(tx.data), tx.data.batches);
  });
}

export interface ReissueRequest {
  /** One device (id or name), or every active device of a batch. */
  readonly device?: string | null;
  readonly batch?: string | null;
  /** The folder for the new bundles (needed unless finishing). */
  readonly outDir?: string | null;
  /** Replace files in the output folder that Curvekeep did not write. */
  readonly force?: boolean;
  /** Finish: the old keys leave the allowlist (at its next write). */
  readonly finish?: boolean;
}

export interface ReissueResult {
  readonly finished: boolean;
  readonly outDir: string | null;
  readonly devices: ReadonlyArray<{ readonly id: string; readonly name: string; readonly publicKey: string; readonly previousPublicKey: string | null }>;
  readonly manifest: string | null;
}

function targets(devices: ReadonlyArray<Device>, request: Readonly<ReissueRequest>): Device[] {
  if (request.device && request.batch) throw new InvalidInputError('name a device or a batch, not both');
  if (request.device) {
    const d = findDevice(devices, request.device);
    if (d.state !== 'active') throw new RefusedError(`device ${d.name} was removed; it cannot be reissued`);
    return [d];
  }
  if (request.batch) {
    const list = devices.filter((d) => d.batch === request.batch && d.state === 'active');
    if (list.length === 0) throw new NotFoundError(`no active device in batch ${JSON.stringify(request.batch)}`);
    return list;
  }
  throw new InvalidInputError('name a device or a batch to reissue');
}

export async function reissueDevices(ws: Workspace, request: Readonly<ReissueRequest>): Promise<ReissueResult> {
  if (request.finish) {
    return ws.store.update((tx) => {
      const list = targets(tx.data.devices, request).filter((d) => d.previousPublicKey !== undefined);
      for (const d of list) {
        tx.audit({ action: 'device.reissue-finished', subject: d.name, details: { id: d.id, retired: d.previousPublicKey ?? null } });
        delete d.previousPublicKey;
      }
      return { finished: true, outDir: null, devices: list.map((d) => ({ id: d.id, name: d.name, publicKey: d.publicKey, previousPublicKey: null })), manifest: null };
    });
  }
  const outDir = request.outDir?.trim();
  if (!outDir) throw new InvalidInputError('give the folder for the new bundles');
  const { data } = await ws.store.read();
  const list = targets(data.devices, request);
  const serverIds = new Set(list.map((d) => d.server));
  if (serverIds.size > 1) throw new InvalidInputError('these devices belong to more than one server; reissue them server by server');
  const server = findServer(data.identities, data.peers, [...serverIds][0]!);
  const reissuing = list.find((d) => d.previousPublicKey !== undefined);
  if (reissuing) throw new RefusedError(`device ${reissuing.name} has a reissue not finished yet; finish it first`);
  const now = ws.now();
  const createdAt = now.toISOString();
  const output = await ProvisionOutput.open(outDir, server, request.force === true);
  const clash = list.find((d) => output.existingBundles.has(d.name));
  if (clash) throw new RefusedError(`${output.devicesDir}/${clash.name} exists already; choose an empty folder for the new bundles`);
  const writer = new BundleWriter(output, { server, serverEndpoint: server.endpoint, now, keepSecrets: false });
  await writer.writeServerCert();
  await output.allowFolder.claim(list.map((d) => allowFileOf(d.name)));
  const planned: PlanDevice[] = list.map((d, index) => ({ index, row: index + 1, name: d.name, endpoint: d.endpoint ?? server.endpoint ?? '', tags: d.tags, publicKey: null }));
  const renderer = qrRenderer();
  // By the device's place in the list (bundle-pipeline.ts writes batches out of order).
  const made: Array<{ device: Device; publicKey: PublicKey }> = new Array(list.length);
  const results: RowResult[] = new Array(list.length);
  try {
    await drawAndWrite(renderer, planned, {
      prepare: (p) => writer.prepare(p),
      write: (item, png) => {
        const i = item.device.index;
        writer.write(item, png, createdAt);
        made[i] = { device: list[i]!, publicKey: item.publicKey };
        results[i] = { row: i + 1, name: item.device.name, status: 'ok', reason: 'reissued', publicKey: item.publicKey };
      },
    });
  } finally {
    await renderer.close();
  }
  const updated = await ws.store.update((tx) => {
    const out: Array<{ id: string; name: string; publicKey: string; previousPublicKey: string | null }> = [];
    for (const m of made) {
      const d = tx.data.devices.find((x) => x.id === m.device.id);
      if (!d || d.state !== 'active' || d.publicKey !== m.device.publicKey) continue; // changed meanwhile
      d.previousPublicKey = d.publicKey;
      d.publicKey = m.publicKey;
      d.bundleDir = `${output.devicesDir}/${d.name}`;
      d.keptSecret = false;
      tx.audit({ action: 'device.reissued', subject: d.name, details: { id: d.id, publicKey: d.publicKey, previousPublicKey: d.previousPublicKey } });
      out.push({ id: d.id, name: d.name, publicKey: d.publicKey, previousPublicKey: d.previousPublicKey });
    }
    return out;
  });
  const manifest = await output.writeManifest(server, server.endpoint, createdAt, planned.map((p, i) => manifestDevice({ ...p, ownKey: false }, made[i]!.publicKey, createdAt)));
  await output.writeResults(results);
  return { finished: false, outDir, devices: updated, manifest };
}

/** A device's public key as a QR code (the public zcert body, as its bundle's QR): never a secret. */
export async function deviceQr(ws: Workspace, ref: string): Promise<{ readonly payload: string; readonly svg: string }> {
  const [{ qrPayload }, { renderQrSvg }] = await Promise.all([import('../formats/qr/payload.js'), import('../formats/qr/render.js')]);
  const device = await showDevice(ws, ref);
  const payload = qrPayload({ name: device.name, endpoint: device.endpoint ?? null, publicKey: device.publicKey as PublicKey });
  return { payload, svg: await renderQrSvg(payload) };
}
