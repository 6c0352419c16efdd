// The Keys list asked for as the page boots, when Keys is the view being opened: the call then
// runs while the view's code loads, instead of after it (10,000 identities are ~6 MB of JSON).
import type { ContractClient } from '../../lib/contract-client.js';
import type { ResultOf } from '../../../src-main/ipc/contract.js';

type KeysList = ResultOf<'keys.list'>;

let early: Promise<KeysList> | null = null;

export function prefetchKeysList(client: ContractClient): void {
  early = client.call('keys.list', {});
  // Failures are reported when the view takes the result; this only keeps them from going unhandled.
  early.catch(() => undefined);
}

/** The prefetched list once (a later visit asks again), or a fresh call. */
export function takeKeysList(client: ContractClient): Promise<KeysList> {
  const pending = early;
  early = null;
  return pending ?? client.call('keys.list', {});
}
