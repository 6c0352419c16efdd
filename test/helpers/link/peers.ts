// Starts the real peers of pyzmq_peers.py (Debian's pyzmq, libzmq 4.3) as child processes and
// stops them. A server prints {"port": N} when it is bound; it also exits when its stdin closes,
// so a crashed test run leaves nothing behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
export const PEERS_SCRIPT = fileURLToPath(new URL('./pyzmq_peers.py', import.meta.url));

export interface RunningPeer {
  readonly port: number;
  readonly endpoint: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

const running = new Set<RunningPeer>();

export async function startPeer(mode: string, args: ReadonlyArray<string> = []): Promise<RunningPeer> {
  const child = spawn(PYTHON, [PEERS_SCRIPT, mode, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`peer ${mode} did not start: ${stderr}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`peer ${mode} exited (${code}): ${stderr}`)); });
  });
  const peer: RunningPeer = {
    port,
    endpoint: `tcp://127.0.0.1:${port}`,
    child,
    stop: async () => {
      running.delete(peer);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(peer);
  return peer;
}

export async function stopAllPeers(): Promise<void> {
  await Promise.all([...running].map((peer) => peer.stop()));
}

/** Runs a pyzmq client to completion and returns its one JSON line. */
export async function runClient(mode: string, args: ReadonlyArray<string>): Promise<{ echo: boolean; ms: number }> {
  const child = spawn(PYTHON, [PEERS_SCRIPT, mode, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`client ${mode} failed (${code}): ${err}`);
  return JSON.parse(out.trim().split('\n')[0]!) as { echo: boolean; ms: number };
}

/** A TCP port that nothing listens on: bound, read, and closed again. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
