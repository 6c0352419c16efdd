#!/usr/bin/env node
// 10,000 devices provisioned by the real CLI process (`curvekeep provision`): wall time, CPU time
// (user and system) and peak memory (VmHWM, polled from /proc). Goal: under 5 s and 400 MB on a
// 2-core machine. Peer in the same run: pyzmq's zmq.auth.create_certificates for the same number
// of devices (a public and a secret file each; no bundle, QR, config, allowlist or manifest), and
// the least Node program laying out the same files as Curvekeep (bench/floors/provision-files.cjs).
// Three rounds alternate the three (BENCH_PROVISION_ROUNDS); the figure takes the medians.
// Run with `npm run bench` (it builds and provides a keychain); figures are printed, not asserted.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, removeBenchFiles } from './figures.mjs';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 10_000);
const CLI = fileURLToPath(new URL('../bin/curvekeep.js', import.meta.url));
const CLOCK_TICKS = 100;

function procStats(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { hwmKb: hwm, userS: Number(fields[11]) / CLOCK_TICKS, sysS: Number(fields[12]) / CLOCK_TICKS };
  } catch {
    return null;
  }
}

/** Runs a process to completion, polling its peak memory and CPU time until it exits. */
function measure(command, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let last = { hwmKb: 0, userS: 0, sysS: 0 };
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.resume();
    const poll = setInterval(() => {
      const now = procStats(child.pid);
      // A zombie still has its CPU times but no memory figures: keep the highest mark seen.
      if (now) last = { hwmKb: Math.max(last.hwmKb, now.hwmKb), userS: now.userS, sysS: now.sysS };
    }, 10);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      const wallS = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ wallS, ...last });
    });
  });
}

/** The least Node program writing COUNT public certificate files into OUT, each whole (temporary file, link). */
const ALLOW_FLOOR = `
const { linkSync, mkdirSync, unlinkSync, writeFileSync } = require('node:fs');
const [out, count] = process.argv.slice(1);
mkdirSync(out, { recursive: true });
const text = '#'.repeat(330) + '\\n';
for (let i = 0; i < Number(count); i++) {
  const name = out + '/device-' + String(i).padStart(5, '0') + '.key';
  const temp = out + '/.device-' + i + '.tmp';
  writeFileSync(temp, text, { mode: 0o644, flag: 'wx' });
  linkSync(temp, name);
  unlinkSync(temp);
}`;

const fmt = (r) => `${r.wallS.toFixed(2)} s wall, ${r.userS.toFixed(2)} s user + ${r.sysS.toFixed(2)} s system CPU, peak ${(r.hwmKb / 1024).toFixed(0)} MB`;

const home = mkdtempSync(join(tmpdir(), 'curvekeep-bench-home-'));
const out = mkdtempSync(join(tmpdir(), 'curvekeep-bench-out-'));
const service = `curvekeep-bench-provision-${process.pid}`;
const env = { ...process.env };
/** One keychain service per round (each round has its own data folder), removed at the end. */
const services = [];
try {
  const csv = join(out, 'devices.csv');
  const lines = ['name,endpoint,tags,public_key'];
  for (let i = 0; i < DEVICES; i++) lines.push(`device-${String(i).padStart(5, '0')},,plant-3;sensor,`);
  writeFileSync(csv, `${lines.join('\n')}\n`);

  console.log(`provision: ${DEVICES} devices (bundle with public+secret cert, server cert, config.json, QR PNG; allowlist; manifest; results)`);
  // The peer: pyzmq's create_certificates, 2 files per device and nothing else.
  const script = `
import sys, zmq.auth
d = sys.argv[1]
for i in range(${DEVICES}):
    zmq.auth.create_certificates(d, 'device-%05d' % i)
`;
  // Rounds alternate Curvekeep, pyzmq and the floor (the least Node program laying out the same
  // files: bench/floors/provision-files.cjs), each into a new folder, so that all three meet the
  // file system in the same state; the figure takes the medians. Nothing is deleted until the end:
  // removing 10,000 bundles slows file creation here for a while after (the disk is mounted with
  // discard).
  const ROUNDS = Number(process.env.BENCH_PROVISION_ROUNDS ?? 3);
  const runs = { ours: [], peer: [], floor: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const roundEnv = { ...env, CURVEKEEP_HOME: join(home, `round-${round}`), CURVEKEEP_KEYCHAIN_SERVICE: `${service}-${round}` };
    const made = spawnSync(process.execPath, [CLI, 'keys', 'generate', '--name', 'plant-broker', '--role', 'server', '--endpoint', 'tcp://127.0.0.1:5555'], { env: roundEnv, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`keys generate failed: ${made.stderr}`);
    services.push(roundEnv.CURVEKEEP_KEYCHAIN_SERVICE);
    const fleet = join(out, `fleet-${round}`);
    runs.ours.push(await measure(process.execPath, [CLI, 'provision', '--csv', csv, '--server', 'plant-broker', '--out', fleet], roundEnv));
    console.log(`  round ${round + 1}: curvekeep provision, new fleet:  ${fmt(runs.ours.at(-1))}`);
    if (round === 0) {
      const rerun = await measure(process.execPath, [CLI, 'provision', '--csv', csv, '--server', 'plant-broker', '--out', fleet], roundEnv);
      console.log(`  round 1: curvekeep provision, rerun:      ${fmt(rerun)}  (every device skipped)`);
      // The server's whole allowlist written into a folder that has none: a rerun into another
      // folder, and `peers allowlist --server`; against the least Node program writing as many
      // public certificate files, each through a temporary file linked into place.
      const elsewhere = await measure(process.execPath, [CLI, 'provision', '--csv', csv, '--server', 'plant-broker', '--out', join(out, 'fleet-elsewhere')], roundEnv);
      console.log(`  round 1: curvekeep provision, rerun into another folder: ${fmt(elsewhere)}  (every device skipped; the allowlist written there)`);
      const exported = await measure(process.execPath, [CLI, 'peers', 'allowlist', '--server', 'plant-broker', '--out', join(out, 'allowlist-export')], roundEnv);
      console.log(`  round 1: curvekeep peers allowlist --server (${DEVICES} devices): ${fmt(exported)}`);
      const allowFloor = await measure(process.execPath, ['-e', ALLOW_FLOOR, join(out, 'allowlist-floor'), String(DEVICES)], process.env);
      console.log(`  round 1: floor: ${DEVICES} public cert files, no Curvekeep code: ${fmt(allowFloor)}; the export ${(exported.wallS / allowFloor.wallS).toFixed(2)}x that`);
    }
    const pyDir = join(out, `pyzmq-${round}`);
    mkdirSync(pyDir);
    runs.peer.push(await measure('/usr/bin/python3', ['-c', script, pyDir], process.env));
    console.log(`  round ${round + 1}: peer: pyzmq create_certificates: ${fmt(runs.peer.at(-1))}  (2 files per device, nothing else)`);
    runs.floor.push(await measure(process.execPath, [fileURLToPath(new URL('./floors/provision-files.cjs', import.meta.url)), join(out, `floor-${round}`), String(DEVICES)], process.env));
    console.log(`  round ${round + 1}: floor: the same files per device, no Curvekeep code: ${fmt(runs.floor.at(-1))}`);
  }
  const [first, peer, floor] = [runs.ours, runs.peer, runs.floor].map((list) => [...list].sort((a, b) => a.wallS - b.wallS)[Math.floor(list.length / 2)]);
  const peakMb = Math.max(...runs.ours.map((r) => r.hwmKb)) / 1024;
  console.log(`  medians of ${ROUNDS} rounds: curvekeep ${first.wallS.toFixed(2)} s, pyzmq ${peer.wallS.toFixed(2)} s, floor ${floor.wallS.toFixed(2)} s = ${(floor.wallS / peer.wallS).toFixed(2)}x pyzmq; curvekeep ${(first.wallS / floor.wallS).toFixed(2)}x the floor; peak ${peakMb.toFixed(0)} MB`);
  console.log(`  goal: under 5 s and 400 MB -> ${first.wallS < 5 && peakMb < 400 ? 'met' : 'NOT met'} on this run`);
  const ratio = first.wallS / peer.wallS;
  figure(`provision ${DEVICES} devices vs pyzmq create_certificates`, `${first.wallS.toFixed(2)} s`, `${peer.wallS.toFixed(2)} s`, ratio, '< 5 s and <= 2.5x', first.wallS < 5 && ratio <= 2.5);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`  machine load average during the run: ${load} (file creation time on this VM varies with it)`);
} finally {
  spawnSync(process.execPath, ['-e', `
    const k = require('@github/keytar');
    Promise.all(${JSON.stringify(services)}.map((service) => k.findCredentials(service).then((c) => Promise.all(c.map((x) => k.deletePassword(service, x.account))))));
  `], { stdio: 'ignore' });
  removeBenchFiles(home);
  removeBenchFiles(out);
}
