#!/usr/bin/env node
// The team workspace (issue 14), whole CLI processes against a private PostgreSQL 15 cluster
// (Unix socket; made here as the postgres OS user, removed at the end):
//   - `curvekeep --json devices list` with 100,000 devices in the workspace (goal: under 1 s),
//     against `node -e 0`, the least Node program printing the same list from the database
//     (bench/floors/pg-devices-list.cjs) and the same list from a local data folder holding the same devices;
//   - `curvekeep provision` of 10,000 devices into the workspace (goal: under 10 s), against the
//     same provisioning into a local data folder;
//   - one rotation step (`rotate KEY --stage`) against the local store and against the workspace.
// Run with `npm run bench -- workspace` (it builds and provides a keychain); nothing is asserted.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../dist/main/core/curve/keys.js';
import { closeWorkspace, createWorkspace } from '../dist/main/core/workspace.js';
import { OsKeychain } from '../dist/main/keychain/os-keychain.js';
import { figure, removeBenchFiles } from './figures.mjs';
import { seedFleet } from './fleet-seed.mjs';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 100_000);
const PROVISION = Number(process.env.BENCH_PROVISION ?? 10_000);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const CLI = new URL('../bin/curvekeep.js', import.meta.url).pathname;
const FLOOR_LIST = new URL('floors/pg-devices-list.cjs', import.meta.url).pathname;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function asPostgres(cmd, args) {
  return execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }).toString();
}

function run(args, env, input) {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { env, input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30, timeout: 300_000 });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.slice(1).join(' ')} failed (${result.status}): ${result.stderr}`);
  return { ms, bytes: result.stdout.length };
}

/** Medians of whole processes, each command run in turn with the others. */
function alternate(commands, runs) {
  const times = commands.map(() => []);
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    commands.forEach(([args, env], j) => {
      const r = run(args, env);
      times[j].push(r.ms);
      bytes = Math.max(bytes, r.bytes);
    });
  }
  return { medians: times.map(median), bytes };
}

const root = mkdtempSync(join(tmpdir(), 'curvekeep-bench-ws-'));
chmodSync(root, 0o755);
const dataDir = join(root, 'data');
const socketDir = join(root, 'socket');
mkdirSync(socketDir);
execFileSync('chown', ['-R', 'postgres:postgres', root]);
const port = 20000 + (process.pid % 20000);
const services = [];
let started = false;
try {
  asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--auth-local=trust']);
  writeFileSync(
    join(dataDir, 'postgresql.auto.conf'),
    [`listen_addresses = ''`, `port = ${port}`, `unix_socket_directories = '${socketDir}'`, 'unix_socket_permissions = 0777', 'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', "shared_buffers = '128MB'", ''].join('\n'),
  );
  execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
  asPostgres('pg_ctl', ['-D', dataDir, '-l', join(root, 'server.log'), '-w', '-t', '60', 'start']);
  started = true;
  const sql = (db, text) => asPostgres('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', db, '-c', text]);
  sql('postgres', 'CREATE ROLE bench_owner LOGIN CREATEROLE');
  sql('postgres', 'CREATE DATABASE curvekeep OWNER bench_owner');
  const url = (login) => `postgres://${login}@/curvekeep?host=${encodeURIComponent(socketDir)}&port=${port}`;

  const member = (label, store) => {
    const home = mkdtempSync(join(tmpdir(), `curvekeep-bench-ws-${label}-`));
    const service = `curvekeep-bench-ws-${label}-${process.pid}`;
    services.push({ home, keychain: new OsKeychain(service) });
    return { home, service, keychain: new OsKeychain(service), env: { ...process.env, CURVEKEEP_HOME: home, CURVEKEEP_KEYCHAIN_SERVICE: service, ...(store ? { CURVEKEEP_STORE: store } : {}) } };
  };
  const owner = member('owner', url('bench_owner'));
  run([CLI, 'workspace', 'init'], owner.env);
  run([CLI, 'workspace', 'grant', 'bench_admin', '--role', 'admin', '--password-stdin'], owner.env, 'unused-with-trust\n');
  const admin = member('admin', url('bench_admin'));
  const local = member('local', null);

  // The same fleet in the workspace and in a local data folder, seeded through core in one update each.
  const seed = async (m, store) => {
    const ws = createWorkspace(m.home, m.keychain, undefined, { store });
    const ms = await seedFleet(ws, DEVICES);
    await closeWorkspace(ws);
    return ms;
  };
  const seedWs = await seed(admin, url('bench_admin'));
  const seedLocal = await seed(local, null);
  console.log(`seeded ${DEVICES} devices in one update: workspace ${(seedWs / 1000).toFixed(1)} s, local ${(seedLocal / 1000).toFixed(1)} s`);

  const { medians: [bare, floor, wsList, localList], bytes } = alternate(
    [[['-e', '0'], process.env], [[FLOOR_LIST, url('bench_admin')], process.env], [[CLI, '--json', 'devices', 'list'], admin.env], [[CLI, '--json', 'devices', 'list'], local.env]],
    5,
  );
  console.log(`node -e 0 ${bare.toFixed(1)} ms   devices list --json (${DEVICES} devices, ${(bytes / 1048576).toFixed(1)} MB out): workspace ${wsList.toFixed(1)} ms, local ${localList.toFixed(1)} ms`);
  console.log(`  the least Node program printing the same list from the workspace (bench/floors/pg-devices-list.cjs): ${floor.toFixed(1)} ms; Curvekeep adds ${(wsList - floor).toFixed(0)} ms`);
  figure(`workspace: devices list --json, ${DEVICES} devices, vs the local store`, `${wsList.toFixed(1)} ms`, `${localList.toFixed(1)} ms`, wsList / localList, '< 1000 ms', wsList < 1000);
  figure(`workspace: devices list --json, ${DEVICES} devices, vs the least Node program (pg, JSON)`, `${wsList.toFixed(1)} ms`, `${floor.toFixed(1)} ms`, wsList / floor, '< 1000 ms', wsList < 1000);

  // The store's part of provisioning: 10,000 devices recorded in one change (no bundle files), into each store.
  const record = async (m, store) => {
    const ws = createWorkspace(m.home, m.keychain, undefined, { store });
    const { data } = await ws.store.read();
    const server = data.identities.find((i) => i.name === 'plant-broker').id;
    const start = performance.now();
    await ws.store.update((tx) => {
      const createdAt = tx.now.toISOString();
      tx.data.batches.push({ id: 'batch_record', createdAt, csvName: 'record.csv', server, outDir: '/tmp/x', counts: { rows: PROVISION, ok: PROVISION, skipped: 0, failed: 0 }, failed: [] });
      for (let i = 0; i < PROVISION; i++) {
        tx.data.devices.push({ id: `dev_rec${String(i).padStart(8, '0')}`, name: `rec-${i}`, publicKey: generateKeyPair().publicKey, server, batch: 'batch_record', bundleDir: null, tags: [], state: 'active', createdAt, keptSecret: false });
      }
      tx.audit({ action: 'provision.recorded', subject: 'plant-broker', details: { devices: PROVISION } });
    });
    const ms = performance.now() - start;
    await closeWorkspace(ws);
    return ms;
  };
  const recWs = await record(admin, url('bench_admin'));
  const recLocal = await record(local, null);
  console.log(`record ${PROVISION} devices in one change (${DEVICES} there): workspace ${recWs.toFixed(0)} ms, local ${recLocal.toFixed(0)} ms`);
  figure(`workspace: record ${PROVISION} devices in one change (the store's part of provisioning), vs the local store`, `${recWs.toFixed(0)} ms`, `${recLocal.toFixed(0)} ms`, recWs / recLocal, 'reported', true);

  // Provisioning into the workspace and into the local folder, alternately (two rounds each; a new
  // server and fresh device names per run), after a `sync` so that no run pays for the disk
  // writeback of the one before (a run writes 10,000 bundle folders: most of its time is the disk).
  const PROVISION_ROUNDS = 2;
  const provTimes = { ws: [], local: [] };
  for (let round = 0; round < PROVISION_ROUNDS; round++) {
    for (const [label, m] of [['ws', admin], ['local', local]]) {
      const server = `field-broker-${round}`;
      const csv = join(root, `devices-${label}-${round}.csv`);
      writeFileSync(csv, `name,tags\n${Array.from({ length: PROVISION }, (_, i) => `field-${round}-${String(i).padStart(5, '0')},plant-9`).join('\n')}\n`);
      run([CLI, 'keys', 'generate', '--name', server, '--role', 'server', '--endpoint', 'tcp://127.0.0.1:6000'], m.env);
      execFileSync('sync');
      provTimes[label].push(run([CLI, 'provision', '--csv', csv, '--server', server, '--out', join(root, `out-${label}-${round}`)], m.env).ms);
    }
  }
  const [provWs, provLocal] = [median(provTimes.ws), median(provTimes.local)];
  console.log(`provision ${PROVISION} devices (whole process, ${DEVICES} already there, runs ws ${provTimes.ws.map((t) => (t / 1000).toFixed(2)).join('/')} s, local ${provTimes.local.map((t) => (t / 1000).toFixed(2)).join('/')} s): workspace ${(provWs / 1000).toFixed(2)} s, local ${(provLocal / 1000).toFixed(2)} s`);
  figure(`workspace: provision ${PROVISION} devices, vs the local store`, `${provWs.toFixed(0)} ms`, `${provLocal.toFixed(0)} ms`, provWs / provLocal, '< 10000 ms', provWs < 10000);

  // One rotation step: stage then roll back, alternately, against each store.
  const steps = { ws: [], local: [] };
  for (const m of [admin, local]) run([CLI, 'keys', 'generate', '--name', 'rot-key', '--role', 'client'], m.env);
  for (let i = 0; i < 5; i++) {
    for (const [label, m] of [['ws', admin], ['local', local]]) {
      steps[label].push(run([CLI, 'rotate', 'rot-key', '--stage'], m.env).ms);
      run([CLI, 'rotate', 'rot-key', '--rollback'], m.env);
    }
  }
  const [stageWs, stageLocal] = [median(steps.ws), median(steps.local)];
  console.log(`rotate --stage (whole process, ${DEVICES + PROVISION * PROVISION_ROUNDS} devices in the store): workspace ${stageWs.toFixed(1)} ms, local ${stageLocal.toFixed(1)} ms`);
  figure('workspace: one rotation step (rotate --stage), vs the local store', `${stageWs.toFixed(1)} ms`, `${stageLocal.toFixed(1)} ms`, stageWs / stageLocal, 'reported', true);
} finally {
  for (const { home, keychain } of services) {
    for (const account of await keychain.accounts().catch(() => [])) await keychain.delete(account).catch(() => undefined);
    removeBenchFiles(home);
  }
  if (started) {
    try {
      asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    } catch {
      // already stopped
    }
  }
  removeBenchFiles(root);
}
