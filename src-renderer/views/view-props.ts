// What every view receives from the app frame.
import type { ContractClient } from '../lib/contract-client.js';
import type { StatusCenter } from '../lib/status.svelte.js';

export interface ViewProps {
  /** The typed door to the main process. */
  readonly client: ContractClient;
  /** Where failures and confirmations go (the status area under the header). */
  readonly status: StatusCenter;
  /** The view's label in the navigation, e.g. "Keys". */
  readonly label: string;
  /**
   * The rest of the location hash after the view's id, decoded: `#/peers/ID` gives `['ID']`,
   * `#/rotation/ID/test` gives `['ID', 'test']`. Views open the place it names (lib/navigate.ts).
   */
  readonly path: ReadonlyArray<string>;
}
