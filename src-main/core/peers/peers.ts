// Peers: other parties' public keys, with where to reach them and whether a person checked them.
import { type PublicKey, parsePublicKey } from '../curve/keys.js';
import { safetyCodesMatch, safetyCode } from '../curve/safety-code.js';
import { DuplicateNameError, InvalidInputError } from '../errors.js';
import { assertNameFree, checkEndpoint, checkName, checkTag, newId, resolveRef } from '../names.js';
import { RowList } from '../row-list.js';
import type { Peer } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { type PeerView, peerView } from './peer-view.js';

export interface NewPeer {
  readonly name: string;
  readonly publicKey: string;
  readonly endpoints?: ReadonlyArray<string>;
  readonly tags?: ReadonlyArray<string>;
  readonly allowed?: boolean;
  readonly source?: string;
}

export function findPeer(peers: ReadonlyArray<Peer>, ref: string): Peer {
  return resolveRef(peers, ref, 'peer');
}

interface CheckedPeer {
  readonly name: string;
  readonly publicKey: PublicKey;
  readonly endpoints: string[];
  readonly tags: string[];
  readonly allowed: boolean;
  readonly source?: string;
}

export function checkNewPeer(input: NewPeer): CheckedPeer {
  return {
    name: checkName(input.name, 'peer'),
    publicKey: parsePublicKey(input.publicKey, `public key of peer ${input.name}`),
    endpoints: (input.endpoints ?? []).map(checkEndpoint),
    tags: (input.tags ?? []).map(checkTag),
    allowed: Boolean(input.allowed),
    ...(input.source ? { source: input.source } : {}),
  };
}

export interface AddedPeers {
  readonly added: ReadonlyArray<PeerView>;
  /** Entries already present with the same name and key. */
  readonly unchanged: ReadonlyArray<PeerView>;
}

/**
 * Adds peers all at once or not at all. A name already held by a peer with another key is
 * refused: silently replacing a peer's key is exactly what a man in the middle wants.
 */
export async function addPeers(ws: Workspace, inputs: ReadonlyArray<NewPeer>): Promise<AddedPeers> {
  const checked = inputs.map(checkNewPeer);
  const seen = new Set<string>();
  for (const peer of checked) {
    if (seen.has(peer.name)) throw new DuplicateNameError(`the input names peer ${JSON.stringify(peer.name)} twice`);
    seen.add(peer.name);
  }
  return ws.store.update((tx) => {
    const added: PeerView[] = [];
    const unchanged: PeerView[] = [];
    for (const peer of checked) {
      const existing = tx.data.peers.find((p) => p.name === peer.name);
      if (existing && existing.publicKey === peer.publicKey) {
        unchanged.push(peerView(existing));
        continue;
      }
      if (existing) {
        throw new DuplicateNameError(
          `peer ${JSON.stringify(peer.name)} exists already with another public key (safety code ${safetyCode(existing.publicKey as PublicKey)}); ` +
            'if its key really changed, check the new safety code with its owner, remove the old peer and add it again',
        );
      }
      assertNameFree(tx.data.peers, peer.name, 'peer');
      const stored: Peer = {
        id: newId('peer'),
        createdAt: tx.now.toISOString(),
        verification: { state: 'unverified' },
        ...peer,
      };
      tx.data.peers.push(stored);
      tx.audit({ action: 'peer.added', subject: stored.name, details: { id: stored.id, publicKey: stored.publicKey, allowed: stored.allowed, source: stored.source ?? null } });
      added.push(peerView(stored));
    }
    return { added, unchanged };
  });
}

export async function addPeer(ws: Workspace, input: NewPeer): Promise<PeerView> {
  const { added, unchanged } = await addPeers(ws, [input]);
  if (unchanged.length > 0) throw new DuplicateNameError(`peer ${JSON.stringify(input.name)} exists already with this key`);
  return added[0]!;
}

export async function listPeers(ws: Workspace): Promise<ReadonlyArray<PeerView>> {
  return [...(await peerRows(ws))];
}

/** The same views, each made when it is read (a printed list goes out a batch at a time). */
export async function peerRows(ws: Workspace): Promise<RowList<PeerView>> {
  const { data } = await ws.store.read();
  return RowList.of(data.peers, peerView);
}

export async function showPeer(ws: Workspace, ref: string): Promise<PeerView> {
  const { data } = await ws.store.read();
  return peerView(findPeer(data.peers, ref));
}

export async function removePeer(ws: Workspace, ref: string): Promise<PeerView> {
  return ws.store.update((tx) => {
    const peer = findPeer(tx.data.peers, ref);
    tx.data.peers = tx.data.peers.filter((p) => p.id !== peer.id);
    tx.audit({ action: 'peer.removed', subject: peer.name, details: { id: peer.id, publicKey: peer.publicKey } });
    return peerView(peer);
  });
}

export async function setPeerAllowed(ws: Workspace, ref: string, allowed: boolean): Promise<PeerView> {
  return ws.store.update((tx) => {
    const peer = findPeer(tx.data.peers, ref);
    peer.allowed = allowed;
    tx.audit({ action: allowed ? 'peer.allowed' : 'peer.disallowed', subject: peer.name, details: { id: peer.id } });
    return peerView(peer);
  });
}

export interface VerificationResult {
  readonly peer: PeerView;
  readonly match: boolean;
  readonly expected: string;
}

/** Compares a safety code read out by the peer's owner with ours, and records the result. */
export async function verifyPeer(ws: Workspace, ref: string, spokenCode: string, by?: string): Promise<VerificationResult> {
  if (!/^[\d\s-]+$/.test(spokenCode) || spokenCode.replace(/[\s-]/g, '').length !== 30) {
    throw new InvalidInputError('a safety code is 30 digits, e.g. "12345 67890 12345 67890 12345 67890"');
  }
  return ws.store.update((tx) => {
    const peer = findPeer(tx.data.peers, ref);
    const expected = safetyCode(peer.publicKey as PublicKey);
    const match = safetyCodesMatch(expected, spokenCode);
    peer.verification = { state: match ? 'verified' : 'mismatch', at: tx.now.toISOString(), ...(by ? { by } : {}) };
    tx.audit({ action: match ? 'peer.verified' : 'peer.verification-failed', subject: peer.name, details: { id: peer.id, by: by ?? null } });
    return { peer: peerView(peer), match, expected };
  });
}
