// Link-test clients never abort the process (issue 10, finding 9: the desktop app runs testLink in
// its main process). Here testLink runs six at a time in a child process, against a responder in
// another process that restarts every few milliseconds while flooding clients keep it busy: every
// kind of ending (refused connection, dropped handshake, wrong key while a new responder starts,
// echo cut short) happens to the clients, many times. An abort shows as a signal exit of the child.
// Runs the built core (`npm run build:main` first). A short run is part of every test run;
// CURVEKEEP_STRESS=1 runs 3 x 1500 link tests.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { FLOOD_CLIENT_SCRIPT } from '../../helpers/link/flood-client.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = fileURLToPath(new URL('../../../dist/main/core/link/', import.meta.url));
const STRESS = process.env.CURVEKEEP_STRESS === '1';
const RUNS = STRESS ? 3 : 1;
const TESTS = STRESS ? 1500 : 300;

// The restarting responder. Ends when its stdin closes.
const SERVER = `
const { startResponder } = await import(${JSON.stringify(`${DIST}responder.js`)});
const [port, publicKey, secretKey] = process.argv.slice(1);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
for (let i = 0; ; i++) {
  let responder;
  for (let attempt = 0; ; attempt++) {
    try {
      responder = await startResponder({ endpoint: 'tcp://127.0.0.1:' + port, server: { publicKey, secretKey }, allow: 'any' });
      break;
    } catch (error) {
      if (attempt > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  if (i === 0) console.log('ready');
  await new Promise((resolve) => setTimeout(resolve, i % 13));
  await responder.close();
}
`;

const FLOOD = FLOOD_CLIENT_SCRIPT;

const script = `
import * as zmq from 'zeromq';
import { spawn } from 'node:child_process';
import net from 'node:net';
const { testLink } = await import(${JSON.stringify(`${DIST}curve-test.js`)});
const server = zmq.curveKeyPair();
const client = zmq.curveKeyPair();
const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
});
const peers = [
  spawn(process.execPath, ['--input-type=module', '-e', process.env.SERVER, String(port), server.publicKey, server.secretKey], { stdio: ['pipe', 'pipe', 'inherit'] }),
  spawn(process.execPath, ['--input-type=module', '-e', process.env.FLOOD, String(port), server.publicKey, client.publicKey, client.secretKey], { stdio: ['pipe', 'inherit', 'inherit'] }),
];
// The tests start once the responder is up (on a loaded machine its start takes seconds).
await new Promise((resolve) => peers[0].stdout.once('data', resolve));
peers[0].stdout.resume();
const verdicts = {};
const total = Number(process.env.TESTS);
let next = 0;
await Promise.all(Array.from({ length: 6 }, async () => {
  while (next++ < total) {
    const result = await testLink({ endpoint: 'tcp://127.0.0.1:' + port, serverKey: server.publicKey, client, timeoutMs: 300 });
    verdicts[result.verdict] = (verdicts[result.verdict] ?? 0) + 1;
  }
}));
for (const peer of peers) peer.stdin.end();
for (const peer of peers) if (peer.exitCode === null && peer.signalCode === null) await new Promise((resolve) => peer.once('exit', resolve));
console.log(JSON.stringify({ verdicts, peerSignals: peers.map((peer) => peer.signalCode) }));
`;

function run(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, SERVER, FLOOD, TESTS: String(TESTS) } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const killer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test(`${RUNS} x ${TESTS} link tests against a responder that keeps restarting: the client process never aborts`, { timeout: RUNS * 250_000 }, async () => {
  for (let i = 0; i < RUNS; i++) {
    const result = await run();
    expect({ run: i + 1, signal: result.signal, code: result.code, stderr: result.stderr }).toEqual({ run: i + 1, signal: null, code: 0, stderr: '' });
    const summary = JSON.parse(result.stdout) as { verdicts: Record<string, number>; peerSignals: Array<string | null> };
    const counts = Object.values(summary.verdicts);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(TESTS);
    // The clients met both a gone responder and a live one (any verdict but unreachable; under
    // heavy load a 300 ms limit may end every handshake before `ok`).
    expect(summary.verdicts.unreachable).toBeGreaterThan(0);
    expect(Object.keys(summary.verdicts).filter((verdict) => verdict !== 'unreachable')).not.toEqual([]);
    expect(summary.peerSignals).toEqual([null, null]);
  }
});
