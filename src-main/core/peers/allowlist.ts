// The allowlist handed to a server: one public certificate file per allowed peer, a folder that
// CZMQ's zcertstore and pyzmq's load_certificates both read as it is. pyzmq only reads `*.key`
// files and zcertstore reads every file but `*_secret`, so files are named NAME.key in either
// flavour; the flavour decides only how values are written.
import { join } from 'node:path';
import type { PublicKey } from '../curve/keys.js';
import { InvalidInputError } from '../errors.js';
import { OwnedFolder, type OwnedFolderOptions } from '../owned-folder.js';
import { type CertFlavour, certFileNames, formatCertFile } from '../formats/cert-file.js';
import type { Workspace } from '../workspace.js';
import { allowlistEntries, findDeviceServer } from '../devices/devices.js';

export interface AllowlistEntry {
  readonly name: string;
  readonly publicKey: PublicKey;
  readonly endpoint?: string | null;
}

export interface AllowlistResult {
  readonly dir: string;
  readonly files: ReadonlyArray<string>;
  /** Certificate files of an earlier export by Curvekeep, no longer wanted: removed. */
  readonly removed: ReadonlyArray<string>;
  /** Files here that Curvekeep did not write: left as they are (a `*.key` among them is still loaded by a server). */
  readonly left: ReadonlyArray<string>;
}

/** The scope of the peers allowlist in a folder's owned-file manifest. */
const ALLOWLIST_SCOPE = 'peers-allowlist';

/**
 * Writes the folder so that it holds these entries: certificate files Curvekeep wrote here
 * earlier and no longer wanted are removed (a key taken off the list must stop working); files
 * Curvekeep did not write are left and named, and one of the same name as an entry is replaced
 * only with `force` (NotOwnedError otherwise, before anything is written).
 */
export async function writeAllowlist(
  dir: string,
  entries: ReadonlyArray<AllowlistEntry>,
  flavour: CertFlavour,
  now: Date,
  options: Readonly<OwnedFolderOptions> = {},
): Promise<AllowlistResult> {
  const wanted = new Set<string>();
  for (const entry of entries) {
    const file = certFileNames(entry.name, 'pyzmq').publicFile;
    if (wanted.has(file)) throw new InvalidInputError(`two allowlist entries would both be written to ${file}`);
    wanted.add(file);
  }
  const folder = await OwnedFolder.open(dir, ALLOWLIST_SCOPE, options);
  await folder.claim(wanted);
  // A server's devices too: thousands of files, written together (OwnedFolder.writeAll).
  const written = entries.map((entry) => ({
    name: certFileNames(entry.name, 'pyzmq').publicFile,
    content: formatCertFile({ publicKey: entry.publicKey, secretKey: null, metadata: { name: entry.name, ...(entry.endpoint ? { endpoint: entry.endpoint } : {}) } }, flavour, { secret: false, now }),
  }));
  await folder.writeAll(written, 0o644);
  const removed = await folder.removeStale(wanted);
  return { dir, files: written.map((file) => join(dir, file.name)), removed, left: await folder.foreign() };
}

/**
 * A server's allowlist: the peers allowed to connect plus its active devices (with `server`, an
 * own identity or peer by id or name; without it, the devices of every server).
 */
export async function exportPeerAllowlist(ws: Workspace, dir: string, flavour: CertFlavour = 'zcert', options: Readonly<OwnedFolderOptions> = {}, server: string | null = null): Promise<AllowlistResult> {
  const { data } = await ws.store.read();
  const serverId = server ? findDeviceServer(data, server).id : null;
  const entries = allowlistEntries(data, serverId);
  const peers = data.peers.filter((p) => p.allowed).length;
  const result = await writeAllowlist(dir, entries, flavour, ws.now(), options);
  await ws.store.update((tx) => tx.audit({ action: 'allowlist.exported', subject: dir, details: { peers, devices: entries.length - peers, server: serverId, format: flavour } }));
  return result;
}
