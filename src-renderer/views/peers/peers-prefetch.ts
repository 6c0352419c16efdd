// The first page of the Peers list asked for as the page boots, when Peers is the view being
// opened (as keys-prefetch.ts does for Keys): the call runs while the view's code loads.
import type { ResultOf } from '../../../src-main/ipc/contract.js';
import type { ContractClient } from '../../lib/contract-client.js';

type PeerRowsPage = ResultOf<'peers.list'>;

/** Rows in the first page: more than any window shows at once. */
export const FIRST_PEER_PAGE = 100;

let early: Promise<PeerRowsPage> | null = null;

export function prefetchPeersList(client: ContractClient): void {
  early = client.call('peers.list', { limit: FIRST_PEER_PAGE });
  // Failures are reported when the view takes the result; this only keeps them from going unhandled.
  early.catch(() => undefined);
}

/** The prefetched unfiltered first page once, or null (then the view asks itself). */
export function takePrefetchedPeers(): Promise<PeerRowsPage> | null {
  const pending = early;
  early = null;
  return pending;
}
