// The Peers list without the DOM: lean rows (peers.list, filtered in the main process), badges
// for a peer's state, the filters as channel arguments, and the duplicate-key warning in words.
import type { ArgsOf, ResultOf } from '../../../src-main/ipc/contract.js';

/** A peer's full detail (peers.show), fetched when it is selected. */
export type Peer = ResultOf<'peers.show'>;
/** What a list row shows (peers.list). */
export type PeerRow = ResultOf<'peers.list'>['rows'][number];
/** Another peer or an own identity holding the same key. */
export type SameKeyHolder = Peer['sameKeyAs'][number];

export type BadgeTone = 'ok' | 'warn' | 'danger' | 'info' | 'muted';

export interface PeerBadge {
  readonly label: string;
  readonly tone: BadgeTone;
}

/** The bytes an upload may hold: MAX_PEER_UPLOAD_BYTES of src-main/ipc/channels/peers.ts. */
// Not imported as a value: that would bundle the channel schemas (and zod) into the page.
export const MAX_UPLOAD_BYTES = 640 * 1024;

/** The row of a peer's detail (after a change made in the detail). */
export function rowOf(peer: Readonly<Omit<Peer, 'sameKeyAs'>> & { readonly sameKeyAs?: ReadonlyArray<SameKeyHolder> }, sameKey = (peer.sameKeyAs?.length ?? 0) > 0): PeerRow {
  return {
    id: peer.id, name: peer.name, safetyCode: peer.safetyCode, allowed: peer.allowed, verification: peer.verification.state,
    lastVerdict: peer.link?.lastVerdict ?? null, tags: peer.tags, sameKey,
  };
}

export function peerBadges(peer: Readonly<Pick<PeerRow, 'allowed' | 'verification' | 'lastVerdict' | 'sameKey'>>): ReadonlyArray<PeerBadge> {
  const badges: PeerBadge[] = [];
  if (peer.sameKey) badges.push({ label: 'same key as another', tone: 'danger' });
  badges.push(peer.allowed ? { label: 'allowed', tone: 'ok' } : { label: 'not allowed', tone: 'muted' });
  if (peer.verification === 'verified') badges.push({ label: 'verified', tone: 'ok' });
  else if (peer.verification === 'mismatch') badges.push({ label: 'code mismatch', tone: 'danger' });
  else badges.push({ label: 'unverified', tone: 'warn' });
  if (peer.lastVerdict !== null) badges.push({ label: `link: ${peer.lastVerdict}`, tone: peer.lastVerdict === 'ok' ? 'ok' : 'danger' });
  return badges;
}

export interface PeerFilters {
  readonly text: string;
  /** '' for any tag. */
  readonly tag: string;
  readonly allowed: '' | 'yes' | 'no';
  readonly verification: '' | PeerRow['verification'];
  /** '' any, 'never', 'failing', or a verdict. */
  readonly verdict: string;
}

/** `#/peers/allowed`: the list filtered to the allowed peers (an own server's allowlist). Peer ids are `peer_…`. */
export const ALLOWED_PATH = 'allowed';

export const NO_FILTERS: PeerFilters = Object.freeze({ text: '', tag: '', allowed: '', verification: '', verdict: '' });

export function filtersActive(filters: PeerFilters): boolean {
  return filters.text.trim() !== '' || filters.tag !== '' || filters.allowed !== '' || filters.verification !== '' || filters.verdict !== '';
}

/** The peers.list arguments for these filters. */
export function listArgs(filters: PeerFilters, page: { offset?: number; limit?: number } = {}): ArgsOf<'peers.list'> {
  return {
    ...(filters.text.trim() ? { text: filters.text.trim() } : {}),
    ...(filters.tag ? { tag: filters.tag } : {}),
    ...(filters.allowed ? { allowed: filters.allowed === 'yes' } : {}),
    ...(filters.verification ? { verification: filters.verification } : {}),
    ...(filters.verdict ? { verdict: filters.verdict } : {}),
    ...(page.offset ? { offset: page.offset } : {}),
    ...(page.limit ? { limit: page.limit } : {}),
  };
}

/** "peer plc-2 and your identity laptop". */
export function holdersInWords(holders: ReadonlyArray<SameKeyHolder>): string {
  const named = holders.map((h) => `${h.kind === 'peer' ? 'peer' : 'your identity'} ${h.name}`);
  return named.length <= 1 ? (named[0] ?? '') : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
}

/** The digits of a typed safety code, grouped in fives as the other side reads them out. */
export function groupDigits(typed: string): string {
  const digits = typed.replace(/\D/g, '');
  return digits.replace(/(\d{5})(?=\d)/g, '$1 ');
}
