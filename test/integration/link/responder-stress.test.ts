// The responder never aborts the process (issue 10, finding 9). Responders start, get clients
// mid-handshake and clients sending traffic, and stop, hundreds of times, in a child process, so
// that an abort shows as a signal exit instead of killing Vitest. The clients are other processes,
// as in real use: a pyzmq process and a zeromq.js process that keep opening CURVE connections (1 ms
// reconnect) to the responder's fixed port, and a zeromq.js process whose two DEALERs keep sending,
// so that the responder's echo loop is receiving when it stops. Runs the built core
// (`npm run build:main` first).
//
// Two causes were found (docs/ARCHITECTURE.md section 10): the ZAP handler closing under a server
// session (libzmq #2476; zap.ts keeps it until every server socket has ended), and the responder
// calling unbind() while its echo loop had a receive pending: zeromq.js runs unbind on a worker
// thread, two threads work inside one libzmq socket, and libzmq aborts (pipe.cpp:355, pipe.cpp:118,
// socket_base.cpp:2140). See unbind-race.test.ts. With the traffic below the old responder died
// here in about 1 of 4 runs of 300 cycles; the fixed one has not died.
//
// A short run is part of every test run; CURVEKEEP_STRESS=1 runs 4 x 500 cycles.
//
// CURVEKEEP_STRESS_INPROC_CLIENTS=1 adds zeromq.js DEALERs in a second context of the responder's
// own process. That variant still dies under load, in the CLIENTS' context (a core dump: the I/O
// thread of the second context, session_base_t::clean_pipes from engine_error,
// session_base.cpp:233, when a flooding DEALER's connection drops mid-message): a libzmq abort on
// the client side, not in the responder. Kept as a reproduction; see section 10.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { PYTHON } from '../../helpers/link/peers.js';
import { FLOOD_CLIENT_SCRIPT } from '../../helpers/link/flood-client.js';

const DIST = fileURLToPath(new URL('../../../dist/main/core/link/', import.meta.url));
const STRESS = process.env.CURVEKEEP_STRESS === '1';
const RUNS = STRESS ? 4 : 1;
const CYCLES = STRESS ? 500 : 200;

// Keeps 16 CURVE DEALERs connecting (1 ms reconnect) to PORT, replacing one every 0-2 ms.
// Every hammer ends when its stdin closes.
const HAMMER = `
import os, random, sys, threading, time, zmq
def watch():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
port, server_key, public, secret = sys.argv[1:5]
ctx = zmq.Context()
socks = []
while True:
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.reconnect_ivl = 1
    s.curve_serverkey = server_key.encode()
    s.curve_publickey = public.encode()
    s.curve_secretkey = secret.encode()
    s.connect('tcp://127.0.0.1:' + port)
    socks.append(s)
    if len(socks) > 16:
        socks.pop(0).close()
    time.sleep(random.random() * 0.002)
`;

const NODE_HAMMER = `
import * as zmq from 'zeromq';
const [port, serverKey, publicKey, secretKey] = process.argv.slice(1);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
const dealers = [];
for (;;) {
  const dealer = new zmq.Dealer({ linger: 0, reconnectInterval: 1, curveServerKey: serverKey, curvePublicKey: publicKey, curveSecretKey: secretKey });
  dealer.connect('tcp://127.0.0.1:' + port);
  dealers.push(dealer);
  if (dealers.length > 16) dealers.shift().close();
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
}
`;

const FLOOD = FLOOD_CLIENT_SCRIPT;

const script = `
import * as zmq from 'zeromq';
import { spawn } from 'node:child_process';
import net from 'node:net';
const { startResponder } = await import(${JSON.stringify(`${DIST}responder.js`)});
const { testLink } = await import(${JSON.stringify(`${DIST}curve-test.js`)});
const server = zmq.curveKeyPair();
const client = zmq.curveKeyPair();
const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
});
const keys = [String(port), server.publicKey, client.publicKey, client.secretKey];
const hammers = [
  spawn(${JSON.stringify(PYTHON)}, ['-c', process.env.HAMMER, ...keys], { stdio: ['pipe', 'inherit', 'inherit'] }),
  spawn(process.execPath, ['--input-type=module', '-e', process.env.NODE_HAMMER, ...keys], { stdio: ['pipe', 'inherit', 'inherit'] }),
  spawn(process.execPath, ['--input-type=module', '-e', process.env.FLOOD, ...keys], { stdio: ['pipe', 'inherit', 'inherit'] }),
];
const inproc = process.env.CURVEKEEP_STRESS_INPROC_CLIENTS === '1';
const clientContext = inproc ? new zmq.Context() : undefined;
const cycles = Number(process.env.CYCLES);
let admitted = 0;
let echoed = 0;
for (let i = 0; i < cycles; i++) {
  let responder;
  for (let attempt = 0; ; attempt++) {
    try {
      responder = await startResponder({ endpoint: 'tcp://127.0.0.1:' + port, server, allow: 'any', onClient: () => { admitted++; } });
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const dealers = Array.from({ length: inproc ? 4 : 0 }, () => {
    const dealer = new zmq.Dealer({ context: clientContext, linger: 0, reconnectInterval: 1, curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey });
    dealer.connect(responder.endpoint);
    // Sending without pause: this is what makes the clients' own context abort (see above).
    void (async () => { while (!dealer.closed) { try { await dealer.send(['', 'x']); } catch { break; } } })();
    return dealer;
  });
  if (i % 10 === 0) {
    // Every tenth responder stays up until traffic flows through it (the clients reconnect and
    // redo the CURVE handshake, slower on a loaded machine), so that some stop mid-traffic; the
    // others stop after 0-6 ms, mostly mid-handshake.
    const deadline = Date.now() + 10_000;
    while (responder.stats.echoed === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  } else {
    await new Promise((resolve) => setTimeout(resolve, i % 7));
  }
  echoed += responder.stats.echoed;
  await responder.close();
  for (const dealer of dealers) dealer.close();
}
for (const hammer of hammers) hammer.stdin.end();
// A client process that died natively would hide nothing here, but say so.
for (const hammer of hammers) if (hammer.exitCode === null && hammer.signalCode === null) await new Promise((resolve) => hammer.once('exit', resolve));
const clientDeaths = hammers.map((hammer) => hammer.signalCode).filter((signal) => signal !== null);
// After all that, a responder in this process still works.
const last = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server, allow: 'any' });
const verdict = (await testLink({ endpoint: last.endpoint, serverKey: server.publicKey, client, timeoutMs: 5000 })).verdict;
await last.close();
console.log(JSON.stringify({ cycles, admitted, echoed, verdict, clientDeaths }));
`;

function run(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      env: { ...process.env, HAMMER, NODE_HAMMER, FLOOD, CYCLES: String(CYCLES) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test(`${RUNS} x ${CYCLES} responder start / client mid-handshake / stop cycles: the process never aborts`, { timeout: RUNS * 130_000 }, async () => {
  for (let i = 0; i < RUNS; i++) {
    const result = await run();
    expect({ run: i + 1, signal: result.signal, code: result.code, stderr: result.stderr }).toEqual({ run: i + 1, signal: null, code: 0, stderr: '' });
    const summary = JSON.parse(result.stdout) as { cycles: number; admitted: number; echoed: number; verdict: string; clientDeaths: string[] };
    expect(summary.cycles).toBe(CYCLES);
    // Clients really were mid-handshake: the responder's policy admitted many of them.
    expect(summary.admitted).toBeGreaterThan(CYCLES / 10);
    // And traffic was flowing: the echo loop had receives pending when responders stopped.
    expect(summary.echoed).toBeGreaterThanOrEqual(CYCLES / 10);
    expect(summary.verdict).toBe('ok');
    expect(summary.clientDeaths).toEqual([]);
  }
});
