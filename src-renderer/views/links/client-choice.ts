// Whom a link test presents, as the forms offer it: the default (the only usable client identity,
// decided in the main process), a named identity, or a one-time key only when chosen explicitly.
import type { ResultOf } from '../../../src-main/ipc/contract.js';

/** The select value for a one-time key; '' is the default identity. */
export const ONE_TIME_KEY = '__one-time-key__';

type Identity = ResultOf<'keys.list'>['identities'][number];

/** The arguments the links channels take for a choice. */
export function clientArgs(choice: string): { as?: string; oneTimeKey?: true } {
  if (choice === ONE_TIME_KEY) return { oneTimeKey: true };
  return choice ? { as: choice } : {};
}

/** The identities a test can present: client and device roles. */
export function clientIdentities(identities: ReadonlyArray<Identity>): ReadonlyArray<Identity> {
  return identities.filter((identity) => identity.role === 'client' || identity.role === 'device');
}

/** "Tested as ..." for a result's `as`. */
export function testedAs(as: { readonly name: string | null; readonly oneTime: boolean }): string {
  return as.oneTime ? 'a one-time key' : (as.name ?? 'an unnamed identity');
}
