// The SecretStore port: the only way the core reaches secrets (keychain/ holds the OS adapter).
// Accounts name what a secret is for (`identity:ID:GEN`, `pin-backup:HOST:ID`, `seal:store`);
// values are opaque strings.

export interface SecretStore {
  /** Where the secrets live, for messages (e.g. "OS keychain, service curvekeep"). */
  readonly description: string;
  set(account: string, secret: string): Promise<void>;
  get(account: string): Promise<string | null>;
  /** Returns whether an item was there. */
  delete(account: string): Promise<boolean>;
  /** Account names only, never values. */
  accounts(): Promise<ReadonlyArray<string>>;
}
