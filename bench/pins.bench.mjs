// Issue 4 figure (printed, not asserted): live pin computation as a whole process,
// `curvekeep pins compute --host`, against the OpenSSL pipeline
// (s_client | x509 -pubkey | pkey -pubin -outform der | dgst -sha256 -binary | base64) in the same
// run, both against one local `openssl s_server`. Startup baselines show where the time goes. With
// NODE_EXTRA_CA_CERTS set, the Node programs are measured with and without it (bench/figures.mjs).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environments, figure } from './figures.mjs';

const CLI = new URL('../bin/curvekeep.js', import.meta.url).pathname;
const RUNS = 21;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'curvekeep-bench-pins-'));
const env = { ...process.env, CURVEKEEP_HOME: join(dir, 'home') };

execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dir, 'leaf.key')]);
execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'leaf.key'), '-subj', '/CN=bench.test', '-days', '2', '-addext', 'subjectAltName=DNS:bench.test,IP:127.0.0.1', '-out', join(dir, 'leaf.pem')]);

const server = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-cert', join(dir, 'leaf.pem'), '-key', join(dir, 'leaf.key'), '-www', '-tls1_3'], { stdio: ['ignore', 'pipe', 'pipe'] });
const port = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error(`openssl s_server did not start: ${out}`)), 5000);
  const onData = (chunk) => {
    out += chunk;
    const m = /ACCEPT\s+\S*:(\d+)/.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve(Number(m[1]));
    }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
});

const ours = (runEnv = env) => spawnSync(process.execPath, [CLI, 'pins', 'compute', '--host', `127.0.0.1:${port}`, '--json'], { env: runEnv, encoding: 'utf8' });
const pipeline =
  `openssl s_client -connect 127.0.0.1:${port} </dev/null 2>/dev/null | openssl x509 -pubkey -noout | ` +
  'openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64';
const theirs = () => spawnSync('sh', ['-c', pipeline], { encoding: 'utf8' });
// The same job by the least Node.js program, no Curvekeep code: what any Node tool pays here.
const floor = (runEnv = process.env) => spawnSync(process.execPath, [fileURLToPath(new URL('./floors/tls-pin.cjs', import.meta.url)), '127.0.0.1', String(port)], { env: runEnv, encoding: 'utf8' });

function timed(run, check) {
  const start = performance.now();
  const result = run();
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`failed (${result.status}): ${result.stderr}`);
  check?.(result.stdout);
  return ms;
}

try {
  const ourPin = JSON.parse(ours().stdout).certificates[0].pin;
  const theirPin = `sha256/${theirs().stdout.trim()}`;
  if (ourPin !== theirPin) throw new Error(`pins differ: ${ourPin} vs ${theirPin}`);
  if (floor().stdout.trim() !== ourPin) throw new Error(`the Node floor computed another pin: ${floor().stdout}`);
  console.log(`pin of the live leaf: ${ourPin} (identical in both)`);

  // Every Node program in each environment of environments() (figures.mjs); OpenSSL once a round.
  const variants = environments(env).map((v) => ({ ...v, ours: [], floor: [] }));
  const theirsMs = [];
  const nodeMs = [];
  const versionMs = [];
  for (let i = 0; i < 2; i++) {
    for (const v of variants) ours(v.env);
    theirs();
  }
  // Interleaved, so that all see the same machine load.
  for (let i = 0; i < RUNS; i++) {
    for (const v of variants) v.ours.push(timed(() => ours(v.env)));
    theirsMs.push(timed(theirs));
    nodeMs.push(timed(() => spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8' })));
    versionMs.push(timed(() => spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' })));
    for (const v of variants) v.floor.push(timed(() => floor(v.env)));
  }
  const b = median(theirsMs);
  console.log(`OpenSSL pipeline (s_client | x509 | pkey | dgst | base64, via sh): median ${b.toFixed(1)} ms over ${RUNS} runs`);
  for (const v of variants) {
    const a = median(v.ours);
    const f = median(v.floor);
    if (v.suffix) console.log(`${v.suffix.trim()}:`);
    console.log(`curvekeep pins compute --host (whole process): median ${a.toFixed(1)} ms`);
    console.log(`ratio curvekeep / OpenSSL: ${(a / b).toFixed(2)}x (goal: at most 1.5x)`);
    console.log(`the least Node program doing the same (bench/floors/tls-pin.cjs, no Curvekeep code): ${f.toFixed(1)} ms = ${(f / b).toFixed(2)}x OpenSSL;` +
      ` curvekeep over that floor: ${(a - f).toFixed(1)} ms`);
    figure(`curvekeep pins compute --host vs OpenSSL pipeline${v.suffix}`, `${a.toFixed(1)} ms`, `${b.toFixed(1)} ms`, a / b, '<= 1.5x', a / b <= 1.5);
  }
  console.log(`baselines: node -e '' ${median(nodeMs).toFixed(1)} ms, curvekeep --version ${median(versionMs).toFixed(1)} ms`);
} finally {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
