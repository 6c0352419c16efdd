// The output folder of a provisioning run, and its manifest and results:
//   OUT/manifest.json    devices, public keys, safety codes, the server, when
//   OUT/results.csv      one line per input row: ok, skipped (bundle exists) or failed, and why
//   OUT/SERVER.cert      the server's public certificate (each bundle holds a link to it)
// The folder must be this run's or a rerun's: a manifest.json Curvekeep did not write (or one of a
// provisioning for another server) is never replaced or merged into, unless forced.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublicKey } from '../curve/keys.js';
import { safetyCode } from '../curve/safety-code.js';
import { InvalidInputError, RefusedError } from '../errors.js';
import { readInputFile } from '../files.js';
import { certFileNames } from '../formats/cert-file.js';
import { csvText } from '../formats/csv-cell.js';
import { OwnedFolder } from '../owned-folder.js';
import type { RowResult, Server } from './plan.js';

/** Scope of provisioning output in a folder's owned-file manifest. */
const PROVISION_SCOPE = 'provision';
const MANIFEST_FILE = 'manifest.json';
const RESULTS_FILE = 'results.csv';
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

export interface ManifestDevice {
  readonly name: string;
  readonly publicKey: string;
  readonly safetyCode: string;
  readonly endpoint: string;
  readonly tags: ReadonlyArray<string>;
  readonly ownKey: boolean;
  readonly bundle: string;
  readonly createdAt: string | null;
}

interface PreviousManifest {
  readonly server?: { readonly name?: string; readonly publicKey?: string };
  readonly devices?: ManifestDevice[];
}

async function previousManifest(path: string): Promise<PreviousManifest | null> {
  try {
    return JSON.parse((await readInputFile(path, MAX_MANIFEST_BYTES)).toString('utf8')) as PreviousManifest;
  } catch {
    return null;
  }
}

async function listFolder(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The allowlist file of a device: NAME.key, which zcertstore and pyzmq both read. */
export function allowFileOf(name: string): string {
  return certFileNames(name, 'pyzmq').publicFile;
}

export class ProvisionOutput {
  private constructor(
    readonly dir: string,
    readonly folder: OwnedFolder,
    readonly allowFolder: OwnedFolder,
    /** Earlier devices of this folder, by name, from its manifest. */
    readonly earlier: ReadonlyMap<string, ManifestDevice>,
    /** Bundle folders present. */
    readonly existingBundles: ReadonlySet<string>,
    /** Allowlist files present (a bundle's entry is added to this as it is written). */
    readonly existingAllow: Set<string>,
    /** Allowlist files present that Curvekeep did not write. */
    readonly foreignAllowFiles: ReadonlySet<string>,
  ) {}

  get devicesDir(): string {
    return join(this.dir, 'devices');
  }

  get allowDir(): string {
    return join(this.dir, 'allowlist');
  }

  get manifestPath(): string {
    return join(this.dir, MANIFEST_FILE);
  }

  /**
   * Opens (or creates) the output folder for `server`: refuses another run's or a foreign
   * manifest.json/results.csv (NotOwnedError without `force`), clears half-built bundles of an
   * interrupted run, and reads what is there already.
   */
  static async open(dir: string, server: Server, force: boolean): Promise<ProvisionOutput> {
    const folder = await OwnedFolder.open(dir, PROVISION_SCOPE, { force });
    const previous = folder.owns(MANIFEST_FILE) ? await previousManifest(join(dir, MANIFEST_FILE)) : null;
    if (previous?.server?.publicKey && previous.server.publicKey !== server.publicKey) {
      throw new RefusedError(`${dir} holds the output of another provisioning run (for server ${previous.server.name ?? previous.server.publicKey}); nothing was changed: choose another folder`);
    }
    await folder.claim([MANIFEST_FILE, RESULTS_FILE, serverCertFile(server)]);
    const allowFolder = await OwnedFolder.open(join(dir, 'allowlist'), PROVISION_SCOPE, { force });
    const devicesDir = join(dir, 'devices');
    try {
      await mkdir(devicesDir, { recursive: true });
    } catch (error) {
      throw new InvalidInputError(`cannot create ${dir}: ${(error as NodeJS.ErrnoException).code}`);
    }
    // Half-built bundles of an interrupted run: never renamed into place, so never handed out.
    const entries = await listFolder(devicesDir);
    await Promise.all(entries.filter((n) => n.startsWith('.') && n.includes('.partial-')).map((n) => rm(join(devicesDir, n), { recursive: true, force: true })));
    const existingAllow = new Set(await listFolder(join(dir, 'allowlist')));
    const earlier = new Map((previous?.devices ?? []).filter((d) => typeof d?.name === 'string').map((d) => [d.name, d]));
    return new ProvisionOutput(
      dir,
      folder,
      allowFolder,
      earlier,
      new Set(entries.filter((n) => !n.startsWith('.'))),
      existingAllow,
      new Set(await allowFolder.notOwned(existingAllow)),
    );
  }

  /** Writes the server's certificate beside the bundles; returns its path. */
  writeServerCert(server: Server, text: string): Promise<string> {
    return this.folder.write(serverCertFile(server), text, 0o644);
  }

  /** manifest.json: the devices of this run, plus earlier devices of this folder not in it. */
  async writeManifest(server: Server, endpoint: string | null, createdAt: string, devices: ReadonlyArray<ManifestDevice>): Promise<string> {
    const all = [...devices];
    const inRun = new Set(all.map((d) => d.name));
    for (const [name, device] of this.earlier) if (!inRun.has(name)) all.push(device);
    const manifest = {
      format: 'curvekeep-provision/1',
      createdAt,
      server: { name: server.name, publicKey: server.publicKey, safetyCode: safetyCode(server.publicKey), endpoint },
      allowlist: 'allowlist',
      devices: all,
    };
    return this.folder.write(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`, 0o644);
  }

  /** results.csv: one line per input row, safe to open in a spreadsheet. */
  writeResults(results: ReadonlyArray<RowResult>): Promise<string> {
    const csv = csvText(['row', 'name', 'status', 'reason', 'public_key'], results.map((r) => [r.row, r.name, r.status, r.reason, r.publicKey ?? '']));
    return this.folder.write(RESULTS_FILE, csv, 0o644);
  }
}

function serverCertFile(server: Server): string {
  return certFileNames(server.name, 'zcert').publicFile;
}

export function manifestDevice(device: { readonly name: string; readonly endpoint: string; readonly tags: ReadonlyArray<string>; readonly ownKey: boolean }, publicKey: PublicKey, createdAt: string | null): ManifestDevice {
  return {
    name: device.name,
    publicKey,
    safetyCode: safetyCode(publicKey),
    endpoint: device.endpoint,
    tags: device.tags,
    ownKey: device.ownKey,
    bundle: `devices/${device.name}`,
    createdAt,
  };
}
