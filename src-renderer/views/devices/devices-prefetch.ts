// The Devices list's unfiltered first page, asked for as the page boots when Devices is being
// opened (lib/prefetch.ts).
import type { ContractClient } from '../../lib/contract-client.js';
import { prefetch } from '../../lib/prefetch.js';
import type { ResultOf } from '../../../src-main/ipc/contract.js';
import { PAGE_SIZE } from './device-pages.svelte.js';

const firstPage = prefetch<ResultOf<'devices.list'>>();

export function prefetchDevicesPage(client: ContractClient): Promise<void> {
  return firstPage.start(() => client.call('devices.list', { offset: 0, limit: PAGE_SIZE }));
}

/** The prefetched first page once (later pages and visits ask again), or null. */
export function takeDevicesPage(): Promise<ResultOf<'devices.list'>> | null {
  return firstPage.take();
}
