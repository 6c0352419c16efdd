// A workspace over a fresh data folder and a keychain service of its own, on the real OS keychain.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspace, type Workspace } from '../../src-main/core/workspace.js';
import { OsKeychain } from '../../src-main/keychain/os-keychain.js';

export interface TestWorkspace {
  readonly ws: Workspace;
  readonly home: string;
  readonly service: string;
  readonly keychain: OsKeychain;
  /** Environment for a CLI child process over the same data folder and keychain service. */
  readonly env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

let counter = 0;

export function testWorkspace(label: string, now?: () => Date): TestWorkspace {
  const home = mkdtempSync(join(tmpdir(), `curvekeep-${label}-`));
  const service = `curvekeep-test-${label}-${process.pid}-${++counter}`;
  const keychain = new OsKeychain(service);
  return {
    ws: createWorkspace(home, keychain, now),
    home,
    service,
    keychain,
    env: { ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_KEYCHAIN_SERVICE: service },
    async cleanup() {
      for (const account of await keychain.accounts()) await keychain.delete(account);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
