#!/usr/bin/env node
// `curvekeep status --json` as a whole process over a store of 100,000 devices (seeded through
// core in one update; goal: under 400 ms), with a few keys, peers, pin sets and a batch beside
// them. Peer in the same run: a node process that only reads and parses the same curvekeep.json
// (the floor of anything that looks at the store). Medians of alternating runs. Run with
// `npm run bench` (it builds and provides a keychain); figures are printed, not asserted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../dist/main/core/curve/keys.js';
import { generateIdentity } from '../dist/main/core/identities/identities.js';
import { addPeer } from '../dist/main/core/peers/peers.js';
import { createWorkspace } from '../dist/main/core/workspace.js';
import { OsKeychain } from '../dist/main/keychain/os-keychain.js';
import { figure } from './figures.mjs';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CLI = new URL('../bin/curvekeep.js', import.meta.url).pathname;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const home = mkdtempSync(join(tmpdir(), 'curvekeep-bench-status-'));
const service = `curvekeep-bench-status-${process.pid}`;
const keychain = new OsKeychain(service);
const env = { ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_KEYCHAIN_SERVICE: service };
try {
  const ws = createWorkspace(home, keychain);
  const server = await generateIdentity(ws, { name: 'plant-broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
  await generateIdentity(ws, { name: 'field-laptop', role: 'client' });
  for (let i = 0; i < 20; i++) await addPeer(ws, { name: `peer-${i}`, publicKey: generateKeyPair().publicKey, endpoints: ['tcp://127.0.0.1:9'] });
  const pool = Array.from({ length: 256 }, () => generateKeyPair().publicKey);
  await ws.store.update((tx) => {
    const at = tx.now.toISOString();
    for (let i = 0; i < DEVICES; i++) {
      const name = `device-${String(i).padStart(6, '0')}`;
      tx.data.devices.push({ id: `dev-${i}`, name, publicKey: pool[i % pool.length], server: server.id, batch: 'b-1', bundleDir: `/tmp/fleet/devices/${name}`, tags: ['plant-3', 'sensor'], state: 'active', createdAt: at, keptSecret: false });
    }
    tx.data.batches.push({ id: 'b-1', createdAt: at, csvName: 'devices.csv', server: server.id, outDir: '/tmp/fleet', counts: { rows: DEVICES + 2, ok: DEVICES, skipped: 0, failed: 2 }, failed: [{ row: 7, name: 'x y', reason: 'invalid name' }, { row: 9, name: 'dev-9', reason: 'bad endpoint' }] });
  });
  const file = join(home, 'curvekeep.json');
  console.log(`status: ${DEVICES} devices, 2 keys, 20 peers, 1 batch; curvekeep.json ${(statSync(file).size / 1e6).toFixed(1)} MB`);
  const check = spawnSync(process.execPath, [CLI, '--json', 'status'], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (check.status !== 0) throw new Error(`status failed: ${check.stderr}`);
  const report = JSON.parse(check.stdout);
  if (report.counts.devices !== DEVICES) throw new Error(`status counted ${report.counts.devices} devices`);
  const commands = [
    [CLI, '--json', 'status'],
    ['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`],
  ];
  const times = commands.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    commands.forEach((args, j) => {
      const start = performance.now();
      const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
      times[j].push(performance.now() - start);
      if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
    });
  }
  const [ours, peer] = times.map(median);
  console.log(`  curvekeep status --json:           ${ours.toFixed(0)} ms (median of ${RUNS})`);
  console.log(`  peer: node reads + parses the file: ${peer.toFixed(0)} ms`);
  figure(`status --json, ${DEVICES} devices (whole process)`, `${ours.toFixed(0)} ms`, `${peer.toFixed(0)} ms`, ours / peer, '< 400 ms', ours < 400);
} finally {
  for (const account of await keychain.accounts()) await keychain.delete(account);
  rmSync(home, { recursive: true, force: true });
}
