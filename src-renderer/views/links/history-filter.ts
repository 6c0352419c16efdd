// The link history's filter, for a fleet of thousands of peers: a search by peer name or endpoint,
// and "failed only" (peers whose last test did not end ok). Tested in
// test/unit/renderer/history-filter.test.ts.
import { searchMatcher } from '../../lib/choice-window.js';

/** What the filter reads of a history row (links.history's peers). */
export interface HistoryRow {
  readonly name: string;
  readonly endpoints: ReadonlyArray<string>;
  readonly link: { readonly lastVerdict: string | null; readonly lastEndpoint: string | null } | null;
}

export interface HistoryFilter {
  readonly query: string;
  readonly failedOnly: boolean;
}

/** Whether the peer's last test ended with a verdict other than ok (never tested is not failed). */
export function lastTestFailed(peer: HistoryRow): boolean {
  const verdict = peer.link?.lastVerdict ?? null;
  return verdict !== null && verdict !== 'ok';
}

/** The rows the filter lets through, in their order. */
export function filterHistory<T extends HistoryRow>(peers: ReadonlyArray<T>, filter: HistoryFilter): ReadonlyArray<T> {
  if (filter.query.trim() === '' && !filter.failedOnly) return peers;
  const matches = searchMatcher(filter.query);
  return peers.filter(
    (peer) =>
      (!filter.failedOnly || lastTestFailed(peer)) &&
      (matches(peer.name) || peer.endpoints.some(matches) || (typeof peer.link?.lastEndpoint === 'string' && matches(peer.link.lastEndpoint))),
  );
}
