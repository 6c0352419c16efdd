// Whom a link test presents, as the forms offer it: the default (the only usable client identity,
// decided in the main process), a named identity, or a one-time key only when chosen explicitly.
import type { ResultOf } from '../../../src-main/ipc/contract.js';

/** The select value for a one-time key; '' is the default identity. */
export const ONE_TIME_KEY = '__one-time-key__';

type Identity = Pick<ResultOf<'keys.rows'>['rows'][number], 'id' | 'name' | 'role'>;

/** The arguments the links channels take for a choice. */
export function clientArgs(choice: string): { as?: string; oneTimeKey?: true } {
  if (choice === ONE_TIME_KEY) return { oneTimeKey: true };
  return choice ? { as: choice } : {};
}

/** An identity as the choice lists name it. */
export function identityLabel(identity: Pick<Identity, 'name' | 'role'>): string {
  return `${identity.name} (my ${identity.role} key)`;
}

/** Identities in words, for a choice list's search. */
export const IDENTITY_WORDS = { one: 'identity', many: 'identities' } as const;

/** The identities a test can present: client and device roles. */
export function clientIdentities<I extends Identity>(identities: ReadonlyArray<I>): ReadonlyArray<I> {
  return identities.filter((identity) => identity.role === 'client' || identity.role === 'device');
}

/**
 * The choice a test starts with: the user's own client identity that fits (a client key before a
 * device key, then by name), or the one-time key when there is none.
 */
export function defaultClientChoice(identities: ReadonlyArray<Identity>): string {
  const usable = clientIdentities(identities);
  const byFit = [...usable].sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'client' ? -1 : 1));
  return byFit[0]?.id ?? ONE_TIME_KEY;
}

/** What a one-time key can prove, in one sentence. */
export const ONE_TIME_KEY_PROVES = 'A one-time key proves that the server speaks CURVE with this key, not that you are allowed to connect.';

/** "Tested as ..." for a result's `as`. */
export function testedAs(as: { readonly name: string | null; readonly oneTime: boolean }): string {
  return as.oneTime ? 'a one-time key' : (as.name ?? 'an unnamed identity');
}
