// The Keys list's first page, asked for as the page boots when Keys is being opened (lib/prefetch.ts).
// The page is a screenful of lean rows (keys.rows); the view asks for the rest once those are painted.
import type { ContractClient } from '../../lib/contract-client.js';
import { prefetch } from '../../lib/prefetch.js';
import type { ResultOf } from '../../../src-main/ipc/contract.js';

/** Rows in the first page: more than any window shows at once. */
export const FIRST_PAGE = 100;

const firstPage = prefetch<ResultOf<'keys.rows'>>();

export function prefetchKeysList(client: ContractClient): Promise<void> {
  return firstPage.start(() => client.call('keys.rows', { limit: FIRST_PAGE }));
}

/** The prefetched first page once, or a fresh call. */
export function takeKeysList(client: ContractClient): Promise<ResultOf<'keys.rows'>> {
  return firstPage.take() ?? client.call('keys.rows', { limit: FIRST_PAGE });
}
