// Starts folder_router.py (Debian's pyzmq, libzmq 4.3): a CURVE ROUTER echo server whose
// ThreadAuthenticator allows the keys of a certificate folder, re-read on request.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./folder_router.py', import.meta.url));

export interface FolderRouter {
  readonly endpoint: string;
  /** Makes the authenticator re-read the folder; resolves with the number of keys it allows. */
  reload(): Promise<number>;
  stop(): Promise<void>;
}

function lines(child: ChildProcess): () => Promise<Record<string, number>> {
  const queue: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let index;
    while ((index = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      const next = waiting.shift();
      if (next) next(line);
      else queue.push(line);
    }
  });
  return () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('folder_router.py did not answer within 10 s')), 10_000);
      const take = (line: string): void => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, number>);
      };
      const queued = queue.shift();
      if (queued !== undefined) take(queued);
      else waiting.push(take);
    });
}

export async function startFolderRouter(keys: { readonly publicKey: string; readonly secretKey: string }, dir: string): Promise<FolderRouter> {
  const child = spawn(PYTHON, [SCRIPT, '--secret', keys.secretKey, '--public', keys.publicKey, '--dir', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const next = lines(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await Promise.race([next(), exited.then(() => { throw new Error(`folder_router.py exited: ${stderr}`); })]);
  return {
    endpoint: `tcp://127.0.0.1:${ready.port}`,
    async reload() {
      child.stdin!.write('reload\n');
      return (await next()).reloaded!;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
