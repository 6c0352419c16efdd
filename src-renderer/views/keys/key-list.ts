// The Keys list without the DOM: badges for an identity's state, and the search over name, tags
// and key (every word typed must match somewhere).
import type { ResultOf } from '../../../src-main/ipc/contract.js';

export type Identity = ResultOf<'keys.list'>['identities'][number];

export type BadgeTone = 'ok' | 'info' | 'warn' | 'danger' | 'muted';

export interface KeyBadge {
  readonly label: string;
  readonly tone: BadgeTone;
}

/** current / pending rotation (a rotation under way), then due soon / overdue. */
export function keyBadges(identity: Pick<Identity, 'state' | 'pending' | 'due'>): ReadonlyArray<KeyBadge> {
  const badges: KeyBadge[] = [];
  if (identity.pending) badges.push({ label: 'pending rotation', tone: 'info' });
  else if (identity.state === 'current') badges.push({ label: 'current', tone: 'ok' });
  else badges.push({ label: identity.state, tone: identity.state === 'revoked' ? 'danger' : 'muted' });
  if (identity.due === 'overdue') badges.push({ label: 'overdue', tone: 'danger' });
  else if (identity.due === 'due-soon') badges.push({ label: 'due soon', tone: 'warn' });
  return badges;
}

export interface SearchIndex {
  readonly identities: ReadonlyArray<Identity>;
  /** Lower-case name, tags and keys of each identity, in the same order. */
  readonly haystacks: ReadonlyArray<string>;
}

export function buildSearchIndex(identities: ReadonlyArray<Identity>): SearchIndex {
  return {
    identities,
    haystacks: identities.map((i) => `${i.name}\n${i.tags.join('\n')}\n${i.publicKey}\n${i.pending?.publicKey ?? ''}\n${i.role}`.toLowerCase()),
  };
}

export function searchTerms(query: string): ReadonlyArray<string> {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

export function filterIdentities(index: SearchIndex, query: string): ReadonlyArray<Identity> {
  const terms = searchTerms(query);
  if (terms.length === 0) return index.identities;
  const out: Identity[] = [];
  const { identities, haystacks } = index;
  for (let i = 0; i < identities.length; i++) {
    const haystack = haystacks[i]!;
    if (terms.every((term) => haystack.includes(term))) out.push(identities[i]!);
  }
  return out;
}
