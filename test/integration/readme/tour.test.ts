// The README's quick tour is a test: its commands are read from the README's code block (the README
// stays the source of truth), every address is rewritten to a responder on 127.0.0.1 (the CURVE
// endpoint to `curvekeep serve` as gateway-07, the TLS host to openssl s_server with --ca and
// --servername), and each line runs in order as its own process with --home in a temporary folder.
// No command that runs names a non-loopback address. Each exits 0, or 1 where the README's comment
// says `exits 1`.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../helpers/cli.js';
import { GOOD_NAME, type Pki, type RunningServer, buildPki, startOpensslServer } from '../../helpers/pki/pki.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = join(ROOT, 'README.md');
const FIXTURE = join(ROOT, 'test/fixtures/pyzmq/sensor-0042.key');

interface TourLine {
  readonly command: string;
  readonly expect: 0 | 1;
}

/** The commands of the code block under "## Quick tour", comments stripped, with their expected exit. */
export function tourLines(markdown: string): TourLine[] {
  const section = markdown.slice(markdown.indexOf('## Quick tour'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      // A comment starts at "  #" outside quotes and $(...).
      const at = /\s{2,}#\s/.exec(line);
      const command = at ? line.slice(0, at.index) : line;
      const comment = at ? line.slice(at.index) : '';
      return { command: command.trim(), expect: /\bexits 1\b/.test(comment) ? 1 : 0 };
    });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every host:port and tcp:// address a command names. */
function addresses(command: string): string[] {
  return [...command.matchAll(/(?:tcp:\/\/)?\b([A-Za-z0-9.-]+\.[A-Za-z0-9-]+|\d+\.\d+\.\d+\.\d+|localhost):(\d+)\b/g)].map((m) => m[1]!);
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

describe('the README quick tour', () => {
  let t: TestWorkspace;
  let cwd: string;
  let pki: Pki;
  let tls: RunningServer;
  let responder: ChildProcess | null = null;

  beforeAll(async () => {
    t = testWorkspace('readme-tour');
    cwd = mkdtempSync(join(tmpdir(), 'curvekeep-tour-'));
    pki = buildPki();
    tls = await startOpensslServer(pki.leaves.ec256, pki.intermediateCert);
  }, 60_000);
  afterAll(async () => {
    if (responder && responder.exitCode === null) {
      const gone = new Promise((resolve) => responder!.once('exit', resolve));
      responder.kill('SIGTERM');
      await gone;
    }
    await tls.stop();
    pki.remove();
    await t.cleanup();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('reads the tour from the README: gateway-07, field-laptop, a peer that is verified and allowed', () => {
    const lines = tourLines(readFileSync(README, 'utf8'));
    const commands = lines.map((l) => l.command);
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.every((c) => c.startsWith('npx curvekeep '))).toBe(true);
    const made = (name: string) => commands.findIndex((c) => c.includes(`keys generate --name ${name} `) || c.endsWith(`keys generate --name ${name}`));
    const used = (name: string) => commands.findIndex((c) => c.includes(`--as ${name}`) || c.includes(`--server ${name}`) || c.includes(`rotate ${name}`));
    for (const name of ['gateway-07', 'field-laptop']) {
      expect(made(name), `${name} is created in the tour`).toBeGreaterThanOrEqual(0);
      expect(made(name)).toBeLessThan(used(name));
    }
    const allow = commands.findIndex((c) => c.startsWith('npx curvekeep peers allow '));
    expect(allow).toBeGreaterThanOrEqual(0);
    expect(allow).toBeLessThan(commands.findIndex((c) => c.includes('peers allowlist')));
  });

  it('runs every line in order against loopback responders, each with the exit code the README gives', async () => {
    const lines = tourLines(readFileSync(README, 'utf8'));
    copyFileSync(FIXTURE, join(cwd, 'sensor-0042.key'));
    writeFileSync(join(cwd, 'devices.csv'), 'name,endpoint,tags,public_key\nsensor-0101,,plant-3,\nsensor-0102,,plant-3,\n');
    const curvePort = await freePort();
    // Each address of the README and what the test runs there.
    const rewrites: ReadonlyArray<[RegExp, string]> = [
      [/tcp:\/\/10\.0\.0\.7:5555/g, `tcp://127.0.0.1:${curvePort}`],
      [/\bbroker\.example\.com:8883\b/g, `127.0.0.1:${tls.port} --servername ${GOOD_NAME} --ca ${pki.rootCert}`],
    ];
    const cli = `'${process.execPath}' '${CLI}' --home '${t.home}'`;
    const ran: string[] = [];
    for (const line of lines) {
      let command = line.command.replaceAll('npx curvekeep', cli);
      for (const [from, to] of rewrites) command = command.replace(from, to);
      for (const host of addresses(command)) expect(host, `${line.command} names only loopback after rewriting`).toBe('127.0.0.1');
      expect(command).not.toMatch(/\b(?!127\.0\.0\.1\b)\d+\.\d+\.\d+\.\d+\b/);
      if (command.includes(`tcp://127.0.0.1:${curvePort}`) && !/ keys generate /.test(command) && responder === null) {
        // gateway-07 at its endpoint: curvekeep's own responder, admitting field-laptop.
        responder = spawn(process.execPath, [CLI, '--home', t.home, 'serve', `tcp://127.0.0.1:${curvePort}`, '--as', 'gateway-07', '--allow', 'field-laptop'], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
        await new Promise<void>((resolve, reject) => {
          let out = '';
          const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000);
          responder!.stdout!.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('listening on')) {
              clearTimeout(timer);
              resolve();
            }
          });
          responder!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
          responder!.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
        });
      }
      const result = await sh(command, cwd, t.env);
      ran.push(line.command);
      expect(result.code, `${line.command}\n${result.stdout}\n${result.stderr}`).toBe(line.expect);
    }
    expect(ran.length).toBe(lines.length);
    // What the tour says it does, it did.
    expect(readdirSync(join(cwd, 'allowlist')).some((f) => f.startsWith('sensor-0042'))).toBe(true);
    expect(existsSync(join(cwd, 'bundles'))).toBe(true);
    const peer = (await runCli(['--json', 'peers', 'show', 'sensor-0042'], t.env)).json<{ allowed: boolean; verification: { state: string } }>();
    expect(peer).toMatchObject({ allowed: true, verification: { state: 'verified' } });
  }, 240_000);

  it('peers allowlist says how to allow a peer when none is allowed', async () => {
    const other = testWorkspace('readme-tour-hint');
    try {
      expect((await runCli(['peers', 'import', FIXTURE], other.env)).code).toBe(0);
      const result = await runCli(['peers', 'allowlist', '--out', join(other.home, 'allowlist')], other.env);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('wrote 0 certificate(s)');
      expect(result.stdout).toContain('no peer is allowed');
      expect(result.stdout).toContain('curvekeep peers allow NAME');
    } finally {
      await other.cleanup();
    }
  });
});
