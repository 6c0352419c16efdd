// The allowlist handed to a server: one public certificate file per allowed peer, a folder that
// CZMQ's zcertstore and pyzmq's load_certificates both read as it is. pyzmq only reads `*.key`
// files and zcertstore reads every file but `*_secret`, so files are named NAME.key in either
// flavour; the flavour decides only how values are written.
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublicKey } from '../curve/keys.js';
import { InvalidInputError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { type CertFlavour, certFileNames, formatCertFile } from '../formats/cert-file.js';
import type { Workspace } from '../workspace.js';

export interface AllowlistEntry {
  readonly name: string;
  readonly publicKey: PublicKey;
  readonly endpoint?: string | null;
}

export interface AllowlistResult {
  readonly dir: string;
  readonly files: ReadonlyArray<string>;
  readonly removed: ReadonlyArray<string>;
}

const CERT_FILE = /(\.cert|\.key)$/;

/**
 * Writes the folder so that it holds exactly these entries: stale certificate files from an
 * earlier export are removed (a key taken off the list must stop working), other files are left.
 */
export async function writeAllowlist(dir: string, entries: ReadonlyArray<AllowlistEntry>, flavour: CertFlavour, now: Date): Promise<AllowlistResult> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new InvalidInputError(`cannot create ${dir}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const files: string[] = [];
  const wanted = new Set<string>();
  for (const entry of entries) {
    const file = certFileNames(entry.name, 'pyzmq').publicFile;
    if (wanted.has(file)) throw new InvalidInputError(`two allowlist entries would both be written to ${file}`);
    wanted.add(file);
    const text = formatCertFile({ publicKey: entry.publicKey, secretKey: null, metadata: { name: entry.name, ...(entry.endpoint ? { endpoint: entry.endpoint } : {}) } }, flavour, { secret: false, now });
    await writeFileAtomic(join(dir, file), text, { mode: 0o644, overwrite: true });
    files.push(join(dir, file));
  }
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (CERT_FILE.test(name) && !wanted.has(name)) {
      await unlink(join(dir, name));
      removed.push(join(dir, name));
    }
  }
  return { dir, files, removed };
}

export async function exportPeerAllowlist(ws: Workspace, dir: string, flavour: CertFlavour = 'zcert'): Promise<AllowlistResult> {
  const { data } = await ws.store.read();
  const entries = data.peers.filter((p) => p.allowed).map((p) => ({ name: p.name, publicKey: p.publicKey as PublicKey, endpoint: p.endpoints[0] ?? null }));
  const result = await writeAllowlist(dir, entries, flavour, ws.now());
  await ws.store.update((tx) => tx.audit({ action: 'allowlist.exported', subject: dir, details: { peers: entries.length, format: flavour } }));
  return result;
}
