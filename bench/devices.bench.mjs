#!/usr/bin/env node
// `curvekeep --json devices list` over 100,000 devices, as a whole process (issue 12: goal under
// 1 s), against `node -e 0` in the same run. The devices are seeded through core in one store
// update (not 100,000 CLI calls): one server, 50 batches of 2,000, no keychain item per device.
// Run with `npm run bench -- devices` (it builds and provides a keychain); nothing is asserted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspace } from '../dist/main/core/workspace.js';
import { OsKeychain } from '../dist/main/keychain/os-keychain.js';
import { figure } from './figures.mjs';
import { FLEET_BATCH, seedFleet } from './fleet-seed.mjs';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 100_000);
const CLI = new URL('../bin/curvekeep.js', import.meta.url).pathname;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Medians of whole processes, each command run in turn with the others. */
function alternate(commands, env, runs) {
  const times = commands.map(() => []);
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    commands.forEach((args, j) => {
      const start = performance.now();
      const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
      times[j].push(performance.now() - start);
      if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
      bytes = Math.max(bytes, result.stdout.length);
    });
  }
  return { medians: times.map(median), bytes };
}

const home = mkdtempSync(join(tmpdir(), 'curvekeep-bench-devices-'));
const service = `curvekeep-bench-devices-${process.pid}`;
const keychain = new OsKeychain(service);
try {
  const ws = createWorkspace(home, keychain);
  const seedMs = await seedFleet(ws, DEVICES);
  const size = statSync(join(home, 'curvekeep.json')).size;
  console.log(`seeded ${DEVICES} devices in one update in ${(seedMs / 1000).toFixed(1)} s (document ${(size / 1048576).toFixed(1)} MB)`);
  const env = { ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_KEYCHAIN_SERVICE: service };
  const { medians: [bare, list, page], bytes } = alternate([['-e', '0'], [CLI, '--json', 'devices', 'list'], [CLI, '--json', 'devices', 'list', '--batch', 'batch_bench0007']], env, 7);
  console.log(`node -e 0 ${bare.toFixed(1)} ms   curvekeep --json devices list (${DEVICES} devices, ${(bytes / 1048576).toFixed(1)} MB out) ${list.toFixed(1)} ms   --batch (${FLEET_BATCH}) ${page.toFixed(1)} ms`);
  figure(`devices list --json, ${DEVICES} devices, vs node -e 0`, `${list.toFixed(1)} ms`, `${bare.toFixed(1)} ms`, list / bare, '< 1000 ms', list < 1000);
} finally {
  for (const account of await keychain.accounts()) await keychain.delete(account);
  rmSync(home, { recursive: true, force: true });
}
