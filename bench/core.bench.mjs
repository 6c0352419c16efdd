// Issue 2 figures: key pairs per second through the core API against pyzmq's curve_keypair in the
// same run, and the CLI as whole processes: `--version`, and `keys list --json` over 5,000 identities.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../dist/main/core/curve/keys.js';
import { createWorkspace } from '../dist/main/core/workspace.js';
import { OsKeychain } from '../dist/main/keychain/os-keychain.js';

const CLI = new URL('../bin/curvekeep.js', import.meta.url).pathname;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function ourKeyPairsPerSecond(seconds = 2) {
  for (let i = 0; i < 2000; i++) generateKeyPair();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 1000; i++) generateKeyPair();
    n += 1000;
  }
  return n / ((performance.now() - start) / 1000);
}

function pyzmqKeyPairsPerSecond(seconds = 2) {
  const code = `
import time, zmq
for _ in range(2000): zmq.curve_keypair()
n = 0; start = time.perf_counter()
while time.perf_counter() - start < ${seconds}:
    for _ in range(1000): zmq.curve_keypair()
    n += 1000
print(n / (time.perf_counter() - start))`;
  return Number(execFileSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' }).trim());
}

function timeProcess(args, env, runs = 15) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`curvekeep ${args.join(' ')} failed: ${result.stderr}`);
  }
  return median(times);
}

const ours = ourKeyPairsPerSecond();
const theirs = pyzmqKeyPairsPerSecond();
console.log(`key pairs/s   core API ${Math.round(ours)}   pyzmq ${Math.round(theirs)}   ratio ${(ours / theirs).toFixed(2)}x   (goal >= 60000/s and >= 1.8x)`);

const nodeBare = median(Array.from({ length: 15 }, () => {
  const start = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - start;
}));
console.log(`node -e 0      ${nodeBare.toFixed(0)} ms (the floor for any Node process here)`);
console.log(`--version      ${timeProcess(['--version'], process.env).toFixed(0)} ms (goal <= 100 ms)`);

const home = mkdtempSync(join(tmpdir(), 'curvekeep-bench-'));
const service = `curvekeep-bench-${process.pid}`;
const keychain = new OsKeychain(service);
try {
  const ws = createWorkspace(home, keychain);
  // 5,000 identities written in one update: `keys list` reads no secret, so none are stored
  // (5,000 keychain items would measure the keychain, not the list).
  await ws.store.update((tx) => {
    const createdAt = tx.now.toISOString();
    for (let i = 0; i < 5000; i++) {
      tx.data.identities.push({
        id: `id_bench${i}`, name: `device-${i}`, role: 'device', tags: ['bench'], endpoints: [`tcp://10.0.${i >> 8}.${i & 255}:5555`],
        createdAt, rotateEveryDays: 365, generations: [{ generation: 1, publicKey: generateKeyPair().publicKey, state: 'current', createdAt }],
      });
    }
  });
  const env = { ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_KEYCHAIN_SERVICE: service };
  console.log(`keys list --json, 5,000 identities   ${timeProcess(['--json', 'keys', 'list'], env, 9).toFixed(0)} ms (goal <= 400 ms)`);
} finally {
  for (const account of await keychain.accounts()) await keychain.delete(account);
  rmSync(home, { recursive: true, force: true });
}
