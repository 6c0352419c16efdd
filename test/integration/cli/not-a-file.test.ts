// Inputs that are not regular files (issue 10, finding 8): a named pipe, a device or a socket
// handed to `keys import`, `peers import` or `provision --csv` is refused at once with exit 2
// (it used to hang, waiting for a writer that never came).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
let dir: string;
let fifo: string;
let socketPath: string;
let server: Server;

beforeAll(async () => {
  t = testWorkspace('not-a-file');
  dir = mkdtempSync(join(tmpdir(), 'curvekeep-not-a-file-'));
  fifo = join(dir, 'pipe.csv');
  execFileSync('mkfifo', [fifo]);
  socketPath = join(dir, 'sock.key');
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  await generateIdentity(t.ws, { name: 'broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('inputs that are not regular files', () => {
  const cases: Array<[string, () => string[]]> = [
    ['keys import of a FIFO', () => ['keys', 'import', fifo, '--name', 'x']],
    ['peers import of a FIFO', () => ['peers', 'import', fifo]],
    ['provision --csv of a FIFO', () => ['provision', '--csv', fifo, '--server', 'broker', '--out', join(dir, 'out')]],
    ['keys import of a device', () => ['keys', 'import', '/dev/zero', '--name', 'x']],
    ['peers import of a socket', () => ['peers', 'import', socketPath]],
  ];
  it.each(cases)('refuses %s with exit 2, at once', async (_what, args) => {
    const result = await runCli(args(), t.env, undefined, 10_000);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/not a regular file/);
  });
});
