// Issue 10, finding 8: a locked keyring. gnome-keyring answers a read from a locked collection
// with "no such item", which Curvekeep took for a deleted seal key (tampering, "run store reseal"),
// and keytar's findCredentials segfaults on it. This runs the real CLI against a private
// gnome-keyring whose collection is locked over D-Bus (a keyring of its own, so that the other
// tests' keyring is never locked).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/cli.js';

const GDBUS = '/usr/bin/gdbus';
const root = new URL('../../../', import.meta.url).pathname;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(process.platform !== 'linux' || !existsSync(GDBUS))('a locked keyring', () => {
  it('is reported as locked (exit 3), never as tampering, and never crashes the process', () => {
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-kc-'));
    const home = join(dir, 'home');
    const accounts = new URL('../../../dist/main/keychain/os-keychain.js', import.meta.url).href;
    const script = `
      export CURVEKEEP_HOME=${JSON.stringify(home)} CURVEKEEP_KEYCHAIN_SERVICE=curvekeep-kc-test
      step() { name=$1; shift; "$@" >"${dir}/$name.out" 2>"${dir}/$name.err"; echo "$name $?" >>"${dir}/codes"; }
      step generate node ${JSON.stringify(CLI)} keys generate --name a
      ${GDBUS} call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \\
        --method org.freedesktop.Secret.Service.Lock "['/org/freedesktop/secrets/collection/login']" >/dev/null || exit 9
      step list node ${JSON.stringify(CLI)} keys list
      step generate2 node ${JSON.stringify(CLI)} keys generate --name b
      step verify node ${JSON.stringify(CLI)} audit verify
      step stage node ${JSON.stringify(CLI)} rotate a --stage
      step doctor node ${JSON.stringify(CLI)} doctor
      step accounts node --input-type=module -e "const { OsKeychain } = await import('${accounts}'); try { await new OsKeychain('curvekeep-kc-test').accounts(); console.log('listed'); } catch (e) { console.log(e.code); }"
    `;
    writeFileSync(join(dir, 'script.sh'), script);
    const run = spawnSync(process.execPath, [join(root, 'scripts/with-keychain.mjs'), 'bash', join(dir, 'script.sh')], {
      env: { ...process.env, CURVEKEEP_PRIVATE_KEYCHAIN: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const codes = Object.fromEntries(readFileSync(join(dir, 'codes'), 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]));
    const err = (name: string) => readFileSync(join(dir, `${name}.err`), 'utf8');
    expect(codes.generate).toBe('0');
    for (const name of ['list', 'generate2', 'verify', 'stage', 'doctor']) {
      expect(codes[name], `${name}: ${err(name)}`).toBe('3');
      expect(err(name)).toMatch(/keychain is locked/);
      expect(err(name)).not.toMatch(/changed outside|reseal|tamper/i);
    }
    // findCredentials is never called on the locked collection (it segfaults there).
    expect(codes.accounts).toBe('0');
    expect(readFileSync(join(dir, 'accounts.out'), 'utf8').trim()).toBe('keychain-locked');
  }, 180_000);
});
