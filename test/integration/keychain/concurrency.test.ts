// One process listing its keychain items while it also writes and deletes them (the app's overview
// lists them while an import probes the lock): keytar's findCredentials read a secret of an item
// deleted meanwhile, failed or took the process down (libsecret: "secret_value_get_text:
// assertion 'value' failed"). Run in a child process, since the failure can be a crash.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const KEYCHAIN = join(import.meta.dirname, '..', '..', '..', 'dist', 'main', 'keychain', 'os-keychain.js');

const SCRIPT = `
const { OsKeychain } = await import(${JSON.stringify(KEYCHAIN)});
const service = 'curvekeep-test-concurrency-' + process.pid;
const keychain = new OsKeychain(service);
try {
  for (let i = 0; i < 20; i++) await keychain.set('item:' + i, 'v' + i);
  let rounds = 0;
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    const [listed] = await Promise.all([
      keychain.accounts(),
      keychain.set('churn', 'x').then(() => keychain.delete('churn')),
      new OsKeychain(service).accounts(),
      keychain.assertUnlocked(),
      new OsKeychain(service).assertUnlocked(),
    ]);
    if (listed.filter((a) => a.startsWith('item:')).length !== 20) throw new Error('a listing lost an item: ' + listed.join(','));
    rounds += 1;
  }
  console.log(JSON.stringify({ rounds }));
} finally {
  const cleanup = new OsKeychain(service);
  for (const account of await cleanup.accounts()) await cleanup.delete(account);
}
`;

it('lists, writes, deletes and probes the lock at once for five seconds without failing or crashing', () => {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).not.toMatch(/CRITICAL/);
  expect(run.status, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout).rounds).toBeGreaterThan(5);
}, 70_000);
