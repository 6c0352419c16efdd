#!/usr/bin/env node
// Runs a command with a usable Secret Service. When none answers (a fresh CI box, a headless
// shell), it starts a private D-Bus session with gnome-keyring unlocked by a throwaway password,
// keeping its keyrings in a private temporary XDG data folder so that an existing login keyring
// (with a password we do not know) can neither block the unlock nor be touched.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: with-keychain.mjs COMMAND [ARGS...]');
  process.exit(2);
}

function keychainAnswers() {
  if (process.platform !== 'linux') return true;
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return false;
  const probe = `
    const k = require('@github/keytar');
    const service = 'curvekeep-probe-' + process.pid;
    k.setPassword(service, 'probe', 'x')
      .then(() => k.getPassword(service, 'probe'))
      .then((v) => k.deletePassword(service, 'probe').then(() => process.exit(v === 'x' ? 0 : 1)))
      .catch(() => process.exit(1));`;
  const result = spawnSync(process.execPath, ['-e', probe], { timeout: 5000, stdio: 'ignore' });
  return result.status === 0;
}

function run(cmd, args, env) {
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

let code;
if (process.env.CURVEKEEP_PRIVATE_KEYCHAIN !== '1' && keychainAnswers()) {
  code = await run(command[0], command.slice(1), process.env);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'curvekeep-keychain-'));
  const runtime = join(dir, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  mkdirSync(join(dir, 'data'));
  const env = {
    ...process.env,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_RUNTIME_DIR: runtime,
    CURVEKEEP_KEYCHAIN_PASSWORD: randomBytes(12).toString('hex'),
    CURVEKEEP_PRIVATE_KEYCHAIN: '1',
  };
  const script =
    'printf %s "$CURVEKEEP_KEYCHAIN_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 3; ' +
    'unset CURVEKEEP_KEYCHAIN_PASSWORD; exec "$@"';
  code = await run('dbus-run-session', ['--', 'sh', '-c', script, 'sh', ...command], env);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
