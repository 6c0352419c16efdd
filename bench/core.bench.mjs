// Issue 9 figures (printed, never asserted), each against its peer in the same run:
// - key pairs per second through the core API (generateKeyPair) against zeromq's raw curveKeyPair
//   (goal: at least 60,000/s and within 10%), with pyzmq's curve_keypair for scale;
// - `curvekeep --version` as a whole process against `node -e 0` (goal: at most 1.15x);
// - `curvekeep --json keys list` over 5,000 identities against `node -e 0` (goal: at most 3x), beside
//   the least Node program printing the same list (bench/floors/keys-list.cjs).
// Whole processes alternate with their peer, so that both see the same machine load; with
// NODE_EXTRA_CA_CERTS set, each figure is given with and without it (figures.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '../dist/main/core/curve/keys.js';
import { createWorkspace } from '../dist/main/core/workspace.js';
import { OsKeychain } from '../dist/main/keychain/os-keychain.js';
import { environments, figure } from './figures.mjs';

const CLI = new URL('../bin/curvekeep.js', import.meta.url).pathname;
const { curveKeyPair } = createRequire(import.meta.url)('zeromq');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function perSecond(fn, seconds) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 1000; i++) fn();
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

/** Medians of whole processes, each command run in turn with the others. */
function alternate(commands, env, runs) {
  const times = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    commands.forEach((args, j) => {
      const start = performance.now();
      const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
      times[j].push(performance.now() - start);
      if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
    });
  }
  return times.map(median);
}

// --- key pairs ---------------------------------------------------------------------------------
for (let i = 0; i < 5000; i++) {
  generateKeyPair();
  curveKeyPair();
}
const ours = [];
const raw = [];
for (let round = 0; round < 4; round++) {
  ours.push(perSecond(generateKeyPair, 0.5));
  raw.push(perSecond(curveKeyPair, 0.5));
}
const oursRate = median(ours);
const rawRate = median(raw);
const pyRate = pyzmqKeyPairsPerSecond();
console.log(`key pairs/s   core API ${Math.round(oursRate)}   raw zeromq curveKeyPair ${Math.round(rawRate)}   pyzmq curve_keypair ${Math.round(pyRate)}`);
figure('key pairs/s, core API vs raw curveKeyPair', `${Math.round(oursRate)}/s`, `${Math.round(rawRate)}/s`, oursRate / rawRate, '>= 60000/s and >= 0.9x', oursRate >= 60000 && oursRate >= 0.9 * rawRate);

// --- --version ---------------------------------------------------------------------------------
// In each environment of environments() (figures.mjs): both sides pay NODE_EXTRA_CA_CERTS alike.
for (const { suffix, env } of environments(process.env)) {
  const [bare, version] = alternate([['-e', '0'], [CLI, '--version']], env, 21);
  console.log(`node -e 0 ${bare.toFixed(1)} ms   curvekeep --version ${version.toFixed(1)} ms${suffix}`);
  figure(`curvekeep --version vs node -e 0${suffix}`, `${version.toFixed(1)} ms`, `${bare.toFixed(1)} ms`, version / bare, '<= 1.15x', version / bare <= 1.15);
}

// --- keys list over 5,000 identities -------------------------------------------------------------
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
        id: `id_bench${i}`, name: `device-${i}`, role: 'device', tags: ['bench'], endpoints: [`tcp://127.0.0.1:${5000 + (i % 1000)}`],
        createdAt, rotateEveryDays: 365, generations: [{ generation: 1, publicKey: generateKeyPair().publicKey, state: 'current', createdAt }],
      });
    }
  });
  // The same list by the least Node program (bench/floors/keys-list.cjs), in the same rounds.
  const FLOOR = fileURLToPath(new URL('./floors/keys-list.cjs', import.meta.url));
  for (const { suffix, env } of environments({ ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_KEYCHAIN_SERVICE: service })) {
    const [bareAgain, list, floor] = alternate([['-e', '0'], [CLI, '--json', 'keys', 'list'], [FLOOR]], env, 11);
    console.log(`node -e 0 ${bareAgain.toFixed(1)} ms   curvekeep --json keys list (5,000 identities) ${list.toFixed(1)} ms${suffix}`);
    console.log(`  the least Node program printing the same list (bench/floors/keys-list.cjs, no Curvekeep code): ${floor.toFixed(1)} ms = ${(floor / bareAgain).toFixed(2)}x node -e 0; curvekeep ${(list / floor).toFixed(2)}x the floor`);
    figure(`keys list --json, 5,000 identities, vs node -e 0${suffix}`, `${list.toFixed(1)} ms`, `${bareAgain.toFixed(1)} ms`, list / bareAgain, '<= 3x', list / bareAgain <= 3);
  }
} finally {
  for (const account of await keychain.accounts()) await keychain.delete(account);
  rmSync(home, { recursive: true, force: true });
}
