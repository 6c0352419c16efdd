// The Keys list without the DOM: lean rows (keys.rows), badges for an identity's state, and the
// search over name, tags and key (every word typed must match somewhere).
import type { ResultOf } from '../../../src-main/ipc/contract.js';

/** An identity's full detail (keys.show), fetched when it is selected. */
export type Identity = ResultOf<'keys.show'>;
/** What a list row shows (keys.rows). */
export type KeyRow = ResultOf<'keys.rows'>['rows'][number];

export type BadgeTone = 'ok' | 'info' | 'warn' | 'danger' | 'muted';

export interface KeyBadge {
  readonly label: string;
  readonly tone: BadgeTone;
}

/** The row of a full identity (one just generated, or the detail after a change). */
export function rowOf(identity: Identity): KeyRow {
  return {
    id: identity.id, name: identity.name, role: identity.role, tags: identity.tags, publicKey: identity.publicKey, state: identity.state,
    rotating: identity.pending !== null, ageDays: identity.ageDays, dueAt: identity.dueAt, due: identity.due,
  };
}

/** current / pending rotation (a rotation under way), then due soon / overdue. */
export function keyBadges(identity: Pick<KeyRow, 'state' | 'due'> & ({ rotating: boolean } | Pick<Identity, 'pending'>)): ReadonlyArray<KeyBadge> {
  const badges: KeyBadge[] = [];
  const rotating = 'rotating' in identity ? identity.rotating : identity.pending !== null;
  if (rotating) badges.push({ label: 'pending rotation', tone: 'info' });
  else if (identity.state === 'current') badges.push({ label: 'current', tone: 'ok' });
  else badges.push({ label: identity.state, tone: identity.state === 'revoked' ? 'danger' : 'muted' });
  if (identity.due === 'overdue') badges.push({ label: 'overdue', tone: 'danger' });
  else if (identity.due === 'due-soon') badges.push({ label: 'due soon', tone: 'warn' });
  return badges;
}

export interface SearchIndex {
  readonly identities: ReadonlyArray<KeyRow>;
  /** Lower-case name, tags and key of each row, in the same order. */
  readonly haystacks: ReadonlyArray<string>;
}

export function buildSearchIndex(identities: ReadonlyArray<KeyRow>): SearchIndex {
  return {
    identities,
    haystacks: identities.map((i) => `${i.name}\n${i.tags.join('\n')}\n${i.publicKey}\n${i.role}`.toLowerCase()),
  };
}

export function searchTerms(query: string): ReadonlyArray<string> {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

export function filterIdentities(index: SearchIndex, query: string): ReadonlyArray<KeyRow> {
  const terms = searchTerms(query);
  if (terms.length === 0) return index.identities;
  const out: KeyRow[] = [];
  const { identities, haystacks } = index;
  for (let i = 0; i < identities.length; i++) {
    const haystack = haystacks[i]!;
    if (terms.every((term) => haystack.includes(term))) out.push(identities[i]!);
  }
  return out;
}
