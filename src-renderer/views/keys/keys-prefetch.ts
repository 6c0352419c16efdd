// The first page of the Keys list asked for as the page boots, when Keys is the view being
// opened: the call then runs while the view's code loads, instead of after it. The page is a
// screenful of lean rows (keys.rows); the view asks for the rest once those are painted.
import type { ContractClient } from '../../lib/contract-client.js';
import type { ResultOf } from '../../../src-main/ipc/contract.js';

type KeyRowsPage = ResultOf<'keys.rows'>;

/** Rows in the first page: more than any window shows at once. */
export const FIRST_PAGE = 100;

let early: Promise<KeyRowsPage> | null = null;

export function prefetchKeysList(client: ContractClient): void {
  early = client.call('keys.rows', { limit: FIRST_PAGE });
  // Failures are reported when the view takes the result; this only keeps them from going unhandled.
  early.catch(() => undefined);
}

/** The prefetched first page once (a later visit asks again), or a fresh call. */
export function takeKeysList(client: ContractClient): Promise<KeyRowsPage> {
  const pending = early;
  early = null;
  return pending ?? client.call('keys.rows', { limit: FIRST_PAGE });
}
