// The Devices list's first page asked for as the page boots, when Devices (unfiltered) is the view
// being opened: the call runs while the view's code loads, instead of after it.
import type { ContractClient } from '../../lib/contract-client.js';
import type { ResultOf } from '../../../src-main/ipc/contract.js';
import { PAGE_SIZE } from './device-pages.svelte.js';

type DevicePage = ResultOf<'devices.list'>;

let early: Promise<DevicePage> | null = null;
let askedAt = 0;
/** Older than this, a prefetched page may be stale (the view opened late): asked again. */
const FRESH_MS = 10_000;

export function prefetchDevicesPage(client: ContractClient): void {
  askedAt = performance.now();
  early = client.call('devices.list', { offset: 0, limit: PAGE_SIZE });
  // Failures are reported when the view takes the result; this only keeps them from going unhandled.
  early.catch(() => undefined);
}

/** The prefetched first page once (later pages and visits ask again), or null. */
export function takeDevicesPage(): Promise<DevicePage> | null {
  const pending = early;
  early = null;
  return pending && performance.now() - askedAt < FRESH_MS ? pending : null;
}
