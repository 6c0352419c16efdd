// The distribute step and grace-period allowlists: while a rotation is under way, a peer's
// allowlist must carry every key this identity may present (current, previous within its grace
// period, pending), so that no step of the rotation cuts a link.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublicKey } from '../curve/keys.js';
import { OwnedFolder } from '../owned-folder.js';
import { type CertFlavour, certFileNames, formatCertFile, parseCertFile } from '../formats/cert-file.js';
import { qrPayload } from '../formats/qr/payload.js';
import { renderQrPng } from '../formats/qr/render.js';
import { findIdentity } from '../identities/identities.js';
import type { AllowlistEntry } from '../peers/allowlist.js';
import type { Identity, KeyState } from '../store/document.js';
import type { Workspace } from '../workspace.js';

export interface RotationAllowlistEntry extends AllowlistEntry {
  readonly generation: number;
  readonly state: KeyState;
}

/** The certificate name of one generation: stable while the key moves from pending to retired. */
export function generationCertName(identityName: string, generation: number): string {
  return `${identityName}.gen${generation}`;
}

/** The keys a peer must accept from this identity now: current, previous in grace, pending. */
export function rotationAllowlistEntries(identity: Readonly<Identity>, now: Date): ReadonlyArray<RotationAllowlistEntry> {
  const endpoint = identity.endpoints[0] ?? null;
  return identity.generations
    .filter((g) => {
      if (g.state === 'current' || g.state === 'pending') return true;
      return g.state === 'previous' && (g.graceUntil === undefined || Date.parse(g.graceUntil) > now.getTime());
    })
    .map((g) => ({ name: generationCertName(identity.name, g.generation), publicKey: g.publicKey as PublicKey, endpoint, generation: g.generation, state: g.state }));
}

export interface DistributeOptions {
  readonly out: string;
  readonly flavour?: CertFlavour;
  /** Replace files of the same name that Curvekeep did not write. */
  readonly force?: boolean;
}

export interface DistributedRotation {
  readonly dir: string;
  readonly entries: ReadonlyArray<Omit<RotationAllowlistEntry, 'endpoint'>>;
  /** Certificate files written or already up to date. */
  readonly files: ReadonlyArray<string>;
  /** This identity's certificate files of keys no longer accepted, removed. */
  readonly removed: ReadonlyArray<string>;
  /** The QR image of the pending key's public certificate, when a rotation is staged. */
  readonly qrFile: string | null;
  /**
   * The pending key's public certificate, when a rotation is staged: for a server identity, the
   * new server public cert its clients need (they load it as the server key to expect).
   */
  readonly pendingFile: string | null;
  /** The identity's role: a server's peers are its clients, which need its new public cert. */
  readonly role: Identity['role'];
  /** Files here that Curvekeep did not write: left as they are. */
  readonly left: ReadonlyArray<string>;
}

async function holdsKey(path: string, publicKey: string): Promise<boolean> {
  try {
    return parseCertFile(await readFile(path, 'utf8'), path).publicKey === publicKey;
  } catch {
    return false;
  }
}

/**
 * Writes this identity's public certificates for its peers into `out`. The folder may be a
 * server's shared allowlist: only this identity's own `NAME.genN` files are added or removed,
 * and a file already holding the right key is left as it is.
 */
export async function distributeRotation(ws: Workspace, ref: string, options: Readonly<DistributeOptions>): Promise<DistributedRotation> {
  const flavour = options.flavour ?? 'zcert';
  const { data } = await ws.store.read();
  const identity = findIdentity(data.identities, ref);
  const now = ws.now();
  const entries = rotationAllowlistEntries(identity, now);
  const dir = options.out;
  // Only this identity's own files are added or removed: the folder may be a server's shared
  // allowlist, written by other identities' rotations, `peers allowlist` and hand.
  const folder = await OwnedFolder.open(dir, `rotation:${identity.id}`, { force: options.force === true });
  const pending = entries.find((e) => e.state === 'pending');
  const wanted = new Set(entries.map((entry) => certFileNames(entry.name, 'pyzmq').publicFile));
  const qrName = pending ? `${pending.name}.png` : null;
  if (qrName) wanted.add(qrName);
  await folder.claim(wanted);

  const files: string[] = [];
  for (const entry of entries) {
    // NAME.key in either flavour, as peers/allowlist.ts does: pyzmq reads only *.key files.
    const file = certFileNames(entry.name, 'pyzmq').publicFile;
    const path = join(dir, file);
    files.push(path);
    if (await holdsKey(path, entry.publicKey)) continue;
    const text = formatCertFile({ publicKey: entry.publicKey, metadata: { name: entry.name, ...(entry.endpoint ? { endpoint: entry.endpoint } : {}) } }, flavour, { secret: false, now });
    await folder.write(file, text, 0o644);
  }
  const removed = await folder.removeStale(wanted);

  let qrFile: string | null = null;
  if (pending && qrName) {
    const png = await renderQrPng(qrPayload({ name: identity.name, endpoint: pending.endpoint ?? null, publicKey: pending.publicKey }));
    qrFile = await folder.write(qrName, png, 0o644);
  }
  const left = await folder.foreign();

  await ws.store.update((tx) =>
    tx.audit({
      action: 'rotation.distributed',
      subject: identity.name,
      details: { id: identity.id, dir, format: flavour, generations: entries.map((e) => `${e.generation}:${e.state}`).join(' '), removed: removed.length },
    }),
  );
  const pendingFile = pending ? join(dir, certFileNames(pending.name, 'pyzmq').publicFile) : null;
  return { dir, entries: entries.map(({ endpoint: _endpoint, ...rest }) => rest), files, removed, qrFile, pendingFile, role: identity.role, left };
}
