// Peers as both faces use them beyond the basic store operations (core/peers/peers.ts): the list
// as lean rows, filtered and paged; a peer's detail; the same public key held by another peer or
// by an own identity (a copy-paste slip, or someone passing one key off as two parties: flagged as
// data, never silently accepted); and replacing a peer's key after both safety codes were seen.
import { type PublicKey, parsePublicKey } from '../curve/keys.js';
import { safetyCode } from '../curve/safety-code.js';
import { InvalidInputError } from '../errors.js';
import { parseQrPayload } from '../formats/qr/payload.js';
import { type AddedPeers, type NewPeer, addPeers, findPeer } from '../peers/peers.js';
import { type PeerView, peerView } from '../peers/peer-view.js';
import type { DocumentData, Peer } from '../store/document.js';
import type { Workspace } from '../workspace.js';

/** Another holder of the same public key. */
export interface SameKeyHolder {
  readonly kind: 'peer' | 'identity';
  readonly id: string;
  readonly name: string;
}

export const VERIFICATION_FILTERS = ['unverified', 'verified', 'mismatch'] as const;

export interface PeerRow {
  readonly id: string;
  readonly name: string;
  readonly safetyCode: string;
  readonly allowed: boolean;
  readonly verification: 'unverified' | 'verified' | 'mismatch';
  readonly lastVerdict: string | null;
  readonly tags: ReadonlyArray<string>;
  /** Another peer or an own identity holds this public key too. */
  readonly sameKey: boolean;
}

export interface PeerRowsRequest {
  /** Every word must occur in the name, key, safety code (spaces optional), an endpoint or a tag. */
  readonly text?: string | null;
  readonly tag?: string | null;
  readonly allowed?: boolean | null;
  readonly verification?: PeerRow['verification'] | null;
  /** A verdict name, or 'never' for peers never tested, or 'failing' for any verdict but ok. */
  readonly verdict?: string | null;
  readonly offset?: number;
  /** Default: every row from offset on. */
  readonly limit?: number | null;
}

export interface PeerRows {
  readonly total: number;
  readonly offset: number;
  readonly rows: ReadonlyArray<PeerRow>;
  /** Every tag any peer has, sorted, for the filter. */
  readonly tags: ReadonlyArray<string>;
}

/** The order of the list (a collator: far cheaper than localeCompare over 10,000 names). */
const BY_NAME = new Intl.Collator('en');

/**
 * What the list needs of a document, worked out once per snapshot (a snapshot is never changed
 * in place: a change makes a new one): the peers in name order, how many parties hold each public
 * key (a peer counts once, an own identity once over all its generations), and every tag.
 */
interface PeerIndex {
  readonly sorted: ReadonlyArray<Peer>;
  readonly holderCounts: ReadonlyMap<string, number>;
  readonly tags: ReadonlyArray<string>;
}

const peerIndexes = new WeakMap<Readonly<DocumentData>, PeerIndex>();

function peerIndex(data: Readonly<DocumentData>): PeerIndex {
  const known = peerIndexes.get(data);
  if (known) return known;
  const holderCounts = new Map<string, number>();
  const count = (key: string): void => {
    holderCounts.set(key, (holderCounts.get(key) ?? 0) + 1);
  };
  const tags = new Set<string>();
  for (const peer of data.peers) {
    count(peer.publicKey);
    for (const tag of peer.tags) tags.add(tag);
  }
  for (const identity of data.identities) {
    if (identity.generations.length === 1) count(identity.generations[0]!.publicKey);
    else for (const key of new Set(identity.generations.map((g) => g.publicKey))) count(key);
  }
  const index: PeerIndex = { sorted: [...data.peers].sort((a, b) => BY_NAME.compare(a.name, b.name)), holderCounts, tags: [...tags].sort() };
  peerIndexes.set(data, index);
  return index;
}

/** Who else holds `publicKey`: other peers and own identities (any generation), `except` left out. */
export function sameKeyHolders(data: Readonly<DocumentData>, publicKey: string, except?: Readonly<{ kind: 'peer' | 'identity'; id: string }>): ReadonlyArray<SameKeyHolder> {
  const out: SameKeyHolder[] = [];
  for (const peer of data.peers) {
    if (peer.publicKey === publicKey && !(except?.kind === 'peer' && except.id === peer.id)) out.push({ kind: 'peer', id: peer.id, name: peer.name });
  }
  for (const identity of data.identities) {
    if (except?.kind === 'identity' && except.id === identity.id) continue;
    if (identity.generations.some((g) => g.publicKey === publicKey)) out.push({ kind: 'identity', id: identity.id, name: identity.name });
  }
  return out;
}

function words(text: string | null | undefined): string[] {
  return (text ?? '').trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
}

export async function listPeerRows(ws: Workspace, request: Readonly<PeerRowsRequest> = {}): Promise<PeerRows> {
  const { data } = await ws.store.read();
  const { sorted, holderCounts, tags } = peerIndex(data);
  const terms = words(request.text);
  // Safety codes (a SHA-256 each) only for the rows asked for, unless the text filter needs them.
  const found: Array<{ peer: Peer; code: string | null }> = [];
  for (const peer of sorted) {
    if (request.tag && !peer.tags.includes(request.tag)) continue;
    if (request.allowed != null && peer.allowed !== request.allowed) continue;
    if (request.verification && peer.verification.state !== request.verification) continue;
    const verdict = peer.link?.lastVerdict ?? null;
    if (request.verdict) {
      if (request.verdict === 'never' ? verdict !== null : request.verdict === 'failing' ? verdict === null || verdict === 'ok' : verdict !== request.verdict) continue;
    }
    let code: string | null = null;
    if (terms.length > 0) {
      code = safetyCode(peer.publicKey as PublicKey);
      const haystack = [peer.name, peer.publicKey, code, code.replace(/\s/g, ''), ...peer.endpoints, ...peer.tags].join('\n').toLowerCase();
      if (!terms.every((t) => haystack.includes(t))) continue;
    }
    found.push({ peer, code });
  }
  const offset = Math.max(0, request.offset ?? 0);
  const page = request.limit == null ? found.slice(offset) : found.slice(offset, offset + Math.max(0, request.limit));
  const rows = page.map(({ peer, code }): PeerRow => ({
    id: peer.id,
    name: peer.name,
    safetyCode: code ?? safetyCode(peer.publicKey as PublicKey),
    allowed: peer.allowed,
    verification: peer.verification.state,
    lastVerdict: peer.link?.lastVerdict ?? null,
    tags: peer.tags,
    sameKey: (holderCounts.get(peer.publicKey) ?? 0) > 1,
  }));
  return { total: found.length, offset, rows, tags };
}

export interface PeerDetail extends PeerView {
  readonly sameKeyAs: ReadonlyArray<SameKeyHolder>;
}

export async function showPeerDetail(ws: Workspace, ref: string): Promise<PeerDetail> {
  const { data } = await ws.store.read();
  const peer = findPeer(data.peers, ref);
  return { ...peerView(peer), sameKeyAs: sameKeyHolders(data, peer.publicKey, { kind: 'peer', id: peer.id }) };
}

/** A peer just added or imported whose key another peer or an own identity holds too. */
export interface DuplicateKeyWarning {
  readonly peer: { readonly id: string; readonly name: string };
  readonly sameKeyAs: ReadonlyArray<SameKeyHolder>;
}

export interface AddedPeersChecked extends AddedPeers {
  readonly duplicates: ReadonlyArray<DuplicateKeyWarning>;
}

/** The duplicate-key warnings for peers just added. */
export async function duplicateKeyWarnings(ws: Workspace, added: ReadonlyArray<Pick<PeerView, 'id' | 'name' | 'publicKey'>>): Promise<ReadonlyArray<DuplicateKeyWarning>> {
  if (added.length === 0) return [];
  const { data } = await ws.store.read();
  return added.flatMap((peer) => {
    const sameKeyAs = sameKeyHolders(data, peer.publicKey, { kind: 'peer', id: peer.id });
    return sameKeyAs.length > 0 ? [{ peer: { id: peer.id, name: peer.name }, sameKeyAs }] : [];
  });
}

/** addPeers, with a warning for each added peer whose key is held elsewhere too. */
export async function addPeersChecked(ws: Workspace, inputs: ReadonlyArray<NewPeer>): Promise<AddedPeersChecked> {
  const result = await addPeers(ws, inputs);
  return { ...result, duplicates: await duplicateKeyWarnings(ws, result.added) };
}

/** A key as the replace flow takes it: a bare Z85 key, or a QR payload / zcert body holding one. */
export function readOfferedKey(text: string, source = 'the new key'): PublicKey {
  const trimmed = text.trim();
  if (trimmed === '') throw new InvalidInputError('give the new public key (40 Z85 characters) or the text of its QR code');
  return trimmed.length === 40 && !/\s/.test(trimmed) ? parsePublicKey(trimmed, source) : parseQrPayload(text, source).publicKey;
}

export interface KeyPreview {
  readonly publicKey: string;
  readonly safetyCode: string;
  readonly sameKeyAs: ReadonlyArray<SameKeyHolder>;
}

/** What a new key for a peer would be: its safety code and who else holds it; changes nothing. */
export async function previewPeerKey(ws: Workspace, ref: string, text: string): Promise<KeyPreview & { readonly current: KeyPreview }> {
  const { data } = await ws.store.read();
  const peer = findPeer(data.peers, ref);
  const publicKey = readOfferedKey(text);
  const except = { kind: 'peer' as const, id: peer.id };
  return {
    publicKey,
    safetyCode: safetyCode(publicKey),
    sameKeyAs: sameKeyHolders(data, publicKey, except),
    current: { publicKey: peer.publicKey, safetyCode: safetyCode(peer.publicKey as PublicKey), sameKeyAs: sameKeyHolders(data, peer.publicKey, except) },
  };
}

export interface ReplacedPeerKey {
  readonly peer: PeerDetail;
  readonly previous: { readonly publicKey: string; readonly safetyCode: string };
}

/**
 * Gives a peer a new public key (the user saw both safety codes). The peer is unverified again and
 * its link history starts over: both were about the old key. Logged with both keys.
 */
export async function replacePeerKey(ws: Workspace, ref: string, text: string): Promise<ReplacedPeerKey> {
  const publicKey = readOfferedKey(text);
  return ws.store.update((tx) => {
    const peer = findPeer(tx.data.peers, ref);
    if (peer.publicKey === publicKey) throw new InvalidInputError(`${peer.name} has this key already; nothing to replace`);
    const previous = { publicKey: peer.publicKey, safetyCode: safetyCode(peer.publicKey as PublicKey) };
    peer.publicKey = publicKey;
    peer.verification = { state: 'unverified' };
    delete peer.link;
    tx.audit({ action: 'peer.key-replaced', subject: peer.name, details: { id: peer.id, previousPublicKey: previous.publicKey, publicKey } });
    return {
      peer: { ...peerView(peer), sameKeyAs: sameKeyHolders(tx.data, publicKey, { kind: 'peer', id: peer.id }) },
      previous,
    };
  });
}
