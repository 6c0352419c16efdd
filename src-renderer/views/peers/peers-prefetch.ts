// The Peers list's unfiltered first page, asked for as the page boots when Peers is being opened
// (lib/prefetch.ts).
import type { ResultOf } from '../../../src-main/ipc/contract.js';
import type { ContractClient } from '../../lib/contract-client.js';
import { prefetch } from '../../lib/prefetch.js';

/** Rows in the first page: more than any window shows at once. */
export const FIRST_PEER_PAGE = 100;

const firstPage = prefetch<ResultOf<'peers.list'>>();

export function prefetchPeersList(client: ContractClient): Promise<void> {
  return firstPage.start(() => client.call('peers.list', { limit: FIRST_PEER_PAGE }));
}

/** The prefetched unfiltered first page once, or null (then the view asks itself). */
export function takePrefetchedPeers(): Promise<ResultOf<'peers.list'>> | null {
  return firstPage.take();
}
