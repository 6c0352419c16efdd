// The Peers list without the DOM: badges for a peer's state and the filter over name, key,
// safety code, endpoints and tags.
import type { ResultOf } from '../../../src-main/ipc/contract.js';

export type Peer = ResultOf<'peers.list'>['peers'][number];

export type BadgeTone = 'ok' | 'warn' | 'danger' | 'info' | 'muted';

export interface PeerBadge {
  readonly label: string;
  readonly tone: BadgeTone;
}

/** The bytes an upload may hold: MAX_PEER_UPLOAD_BYTES of src-main/ipc/channels/peers.ts. */
// Not imported as a value: that would bundle the channel schemas (and zod) into the page.
export const MAX_UPLOAD_BYTES = 640 * 1024;

/** What the last link test said, in the user's words; null when none ran. */
export function linkVerdict(peer: Readonly<Peer>): string | null {
  return peer.link?.lastVerdict ?? null;
}

export function peerBadges(peer: Readonly<Peer>): ReadonlyArray<PeerBadge> {
  const badges: PeerBadge[] = [];
  badges.push(peer.allowed ? { label: 'allowed', tone: 'ok' } : { label: 'not allowed', tone: 'muted' });
  if (peer.verification.state === 'verified') badges.push({ label: 'verified', tone: 'ok' });
  else if (peer.verification.state === 'mismatch') badges.push({ label: 'code mismatch', tone: 'danger' });
  else badges.push({ label: 'unverified', tone: 'warn' });
  const verdict = linkVerdict(peer);
  if (verdict !== null) badges.push({ label: `link: ${verdict}`, tone: verdict === 'ok' ? 'ok' : 'danger' });
  return badges;
}

/** Peers whose name, key, safety code (spaces optional), endpoint or tag holds every word of the query. */
export function filterPeers(peers: ReadonlyArray<Peer>, query: string): ReadonlyArray<Peer> {
  const words = query.trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return peers;
  return peers.filter((peer) => {
    const haystack = [peer.name, peer.publicKey, peer.safetyCode, peer.safetyCode.replace(/\s/g, ''), ...peer.endpoints, ...peer.tags]
      .join('\n')
      .toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/** The digits of a typed safety code, grouped in fives as the other side reads them out. */
export function groupDigits(typed: string): string {
  const digits = typed.replace(/\D/g, '');
  return digits.replace(/(\d{5})(?=\d)/g, '$1 ');
}

/** Peers sorted by name, so that the list reads the same after every change. */
export function sortPeers(peers: ReadonlyArray<Peer>): ReadonlyArray<Peer> {
  return [...peers].sort((a, b) => a.name.localeCompare(b.name));
}
