// Runs the built CLI (`npm run build:main` first; `npm test` does it) as a real process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/curvekeep.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json<T = unknown>(): T;
}

export function runCli(args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, input?: string | Buffer, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({ code: code ?? -1, stdout, stderr: Buffer.concat(err).toString('utf8'), json: <T>() => JSON.parse(stdout) as T });
    });
    child.stdin.end(input ?? '');
  });
}

/** A `curvekeep serve` started by a test: its endpoint, what it printed, and a way to stop it. */
export interface ServingCli {
  readonly endpoint: string;
  out(): string;
  stop(): Promise<void>;
}

const serving = new Set<ReturnType<typeof spawn>>();

/** Starts `curvekeep serve ENDPOINT ARGS` (default a free loopback port) and resolves once it says where it listens. */
export async function serveCli(
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  { endpoint = 'tcp://127.0.0.1:0', timeoutMs = 15_000 }: { endpoint?: string; timeoutMs?: number } = {},
): Promise<ServingCli> {
  const child = spawn(process.execPath, [CLI, 'serve', endpoint, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  serving.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /^listening on (\S+)$/m.exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}): ${stderr}`));
    });
  });
  return {
    endpoint: listening,
    out: () => stdout,
    stop: async () => {
      serving.delete(child);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Kills every `serve` a test file started and did not stop (its afterAll). */
export function killServes(): void {
  for (const child of serving) child.kill('SIGKILL');
  serving.clear();
}
