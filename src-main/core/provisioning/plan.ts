// The provision plan: the server the devices connect to, and every CSV row checked on its own and
// against the others before anything is written. A row is then new (its bundle is made), skipped
// (its bundle exists) or failed with its reason.
import { join } from 'node:path';
import type { PublicKey } from '../curve/keys.js';
import { isCurvekeepError, NotFoundError } from '../errors.js';
import { findIdentity } from '../identities/identities.js';
import { resolveRef } from '../names.js';
import type { Batch, Device as StoredDevice, Identity, Peer } from '../store/document.js';
import { type CheckedDevice, checkDeviceRow, type DeviceRow } from './device-csv.js';

export type RowStatus = 'ok' | 'skipped' | 'failed';

export interface RowResult {
  readonly row: number;
  readonly name: string;
  readonly status: RowStatus;
  readonly reason: string;
  readonly publicKey: PublicKey | null;
  /** A skipped device already provisioned for this server elsewhere: the batch and folder it lives in. */
  readonly existing?: { readonly batch: string | null; readonly folder: string | null };
}

export interface Server {
  /** The identity's (or the peer's) id: what devices name as their server. */
  readonly id: string;
  readonly name: string;
  readonly publicKey: PublicKey;
  readonly endpoint: string | null;
}

/** A checked row and its place in the CSV (results keep the input's order). */
export interface Device extends CheckedDevice {
  readonly index: number;
}

/** The server: an own identity (its current key) or a peer; NotFoundError when neither. */
export function findServer(identities: ReadonlyArray<Identity>, peers: ReadonlyArray<Peer>, ref: string): Server {
  try {
    const identity = findIdentity(identities, ref);
    const current = identity.generations.find((g) => g.state === 'current') ?? identity.generations.at(-1)!;
    return { id: identity.id, name: identity.name, publicKey: current.publicKey as PublicKey, endpoint: identity.endpoints[0] ?? null };
  } catch (error) {
    if (!isCurvekeepError(error) || error.code !== 'not-found') throw error;
  }
  try {
    const peer = resolveRef(peers, ref, 'peer');
    return { id: peer.id, name: peer.name, publicKey: peer.publicKey as PublicKey, endpoint: peer.endpoints[0] ?? null };
  } catch (error) {
    if (isCurvekeepError(error) && error.code === 'not-found') {
      throw new NotFoundError(`no identity or peer ${JSON.stringify(ref)} to be the devices' server; the lists of keys and peers show them`);
    }
    throw error;
  }
}

/** The reason a row failed, for results.csv. */
export function reasonOf(error: unknown): string {
  if (isCurvekeepError(error)) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  return `cannot write the bundle: ${code ?? (error as Error).message}`;
}

export interface PlanContext {
  readonly server: Server;
  /** The --endpoint flag or the server's endpoint, for rows without one. */
  readonly defaultEndpoint: string | null;
  readonly keepSecrets: boolean;
  readonly peers: ReadonlyArray<Peer>;
  readonly identities: ReadonlyArray<Identity>;
  /** The devices in the store and their batches: one already provisioned for this server is skipped. */
  readonly devices: ReadonlyArray<StoredDevice>;
  readonly batches: ReadonlyArray<Batch>;
  /** Bundle folders already in the output. */
  readonly existingBundles: ReadonlySet<string>;
  /** Allowlist file names present that Curvekeep did not write (not replaced unless forced). */
  readonly foreignAllowFiles: ReadonlySet<string>;
  readonly allowDir: string;
  allowFileOf(name: string): string;
}

export interface ProvisionPlan {
  /** One per input row; rows still to do are filled in by the bundle writer and the skip pass. */
  readonly results: RowResult[];
  readonly toMake: ReadonlyArray<Device>;
  readonly toSkip: ReadonlyArray<Device>;
}

export function failRow(results: RowResult[], index: number, row: number, name: string, reason: string): void {
  results[index] = { row, name, status: 'failed', reason, publicKey: null };
}

/** Pass 1: every row checked on its own and against the others; nothing is written. */
export function planDevices(rows: ReadonlyArray<DeviceRow>, context: Readonly<PlanContext>): ProvisionPlan {
  const { server } = context;
  const results: RowResult[] = new Array(rows.length);
  const peersByName = new Map(context.peers.map((p) => [p.name, p]));
  const identityNames = new Set(context.identities.map((i) => i.name));
  const provisioned = new Map(context.devices.filter((d) => d.server === server.id && d.state === 'active').map((d) => [d.name, d]));
  const batchDirs = new Map(context.batches.map((b) => [b.id, b.outDir]));
  const seenNames = new Map<string, number>();
  const seenKeys = new Map<string, number>();
  const toMake: Device[] = [];
  const toSkip: Device[] = [];
  rows.forEach((raw, index) => {
    const fail = (name: string, reason: string): void => failRow(results, index, raw.row, name, reason);
    let device: Device;
    try {
      device = { ...checkDeviceRow(raw, context.defaultEndpoint), index };
    } catch (error) {
      return fail(raw.name, reasonOf(error));
    }
    // Case-insensitive: the bundles end up on file systems that fold case.
    const folded = device.name.toLowerCase();
    const twin = seenNames.get(folded);
    if (twin !== undefined) return fail(device.name, `duplicate name: row ${twin} has it already`);
    seenNames.set(folded, raw.row);
    if (folded === server.name.toLowerCase()) return fail(device.name, `a device cannot have the server's name (${server.name}); its certificate shares the bundle`);
    if (device.publicKey) {
      const keyTwin = seenKeys.get(device.publicKey);
      if (keyTwin !== undefined) return fail(device.name, `public_key is also the key of row ${keyTwin}; every device needs its own key`);
      if (device.publicKey === server.publicKey) return fail(device.name, "public_key is the server's own key");
      seenKeys.set(device.publicKey, raw.row);
    }
    if (context.existingBundles.has(device.name)) {
      toSkip.push(device);
      return;
    }
    const already = provisioned.get(device.name);
    if (already) {
      const folder = already.bundleDir ?? (already.batch ? (batchDirs.get(already.batch) ?? null) : null);
      const where = already.batch ? `batch ${already.batch}${folder ? `, folder ${folder}` : ''}` : folder ? `folder ${folder}` : 'no recorded batch';
      if (device.publicKey && device.publicKey !== already.publicKey) {
        return fail(device.name, `already provisioned for ${server.name} with another public key (${where}); remove or reissue it first`);
      }
      results[index] = { row: raw.row, name: device.name, status: 'skipped', reason: `already provisioned (${where})`, publicKey: already.publicKey as PublicKey, existing: { batch: already.batch, folder } };
      return;
    }
    const peer = peersByName.get(device.name);
    if (peer) {
      return fail(device.name, `a peer named ${device.name} exists already (its allowlist file would clash); remove it or rename the device`);
    }
    if (context.keepSecrets && identityNames.has(device.name)) return fail(device.name, `an identity named ${device.name} exists already`);
    const allowFile = context.allowFileOf(device.name);
    if (context.foreignAllowFiles.has(allowFile)) {
      return fail(device.name, `${join(context.allowDir, allowFile)} exists and Curvekeep did not write it; it was left as it is (allow overwriting to replace it)`);
    }
    toMake.push(device);
  });
  return { results, toMake, toSkip };
}
