// The browser bridge, for development and end-to-end tests only (the packaged app neither contains
// nor starts it): the built renderer and the same handler table over HTTP, so the UI runs in a
// plain browser where Electron's binary cannot be had.
//
// Who may call: it binds 127.0.0.1 on a random port (or the one given by `--port N` or
// CURVEKEEP_BRIDGE_PORT; never another address); every call needs this run's random token
// (32 bytes, compared in constant time); the Host header must be our own 127.0.0.1:PORT (a
// DNS-rebound name is refused) and a browser's Origin must be ours too. Host, Origin and token
// are checked before a byte of the request body is read.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Workspace, createWorkspace, defaultHome, storeUrlFor } from '../core/workspace.js';
import { SECURITY_HEADERS } from '../shell/content-policy.js';
import { defaultRendererRoot, readRendererFile } from '../shell/renderer-files.js';
import { Dispatcher, tokensMatch } from '../ipc/dispatch.js';
import type { HandlerContext } from '../ipc/handlers/context.js';
import { handlerTable } from '../ipc/handlers/table.js';
import { BRIDGE_CALL_PATH, BRIDGE_TOKEN_HEADER, type CallOutcome } from '../ipc/transport.js';
import { OsKeychain } from '../keychain/os-keychain.js';
import { keychainServiceName } from '../keychain/os-keychain.js';

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * HTTP status for calls the dispatcher refused. A call that ran and failed (a CurvekeepError) is
 * answered 200 with `ok: false`: the browser would log any 4xx/5xx as a console error, and a
 * refused export is an answer, not a transport failure.
 */
const REFUSAL_STATUS: Readonly<Record<string, number>> = Object.freeze({
  'token-required': 401,
  'foreign-sender': 403,
  'unknown-channel': 404,
  'invalid-arguments': 400,
});

export interface BridgeOptions {
  /** The data folder (default: CURVEKEEP_HOME or the app's). */
  readonly home?: string;
  /** The built renderer (default: dist/renderer). */
  readonly rendererRoot?: string;
  readonly appVersion?: string;
  /** Refusals and internal errors; stderr by default. */
  readonly log?: (line: string) => void;
  /** The port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  /**
   * The only folder the page's exports are written inside (each gets a fresh folder there; a
   * browser has no folder dialog). Default: CURVEKEEP_BRIDGE_WRITE_ROOT, else DATA/exports.
   */
  readonly writeRoot?: string;
}

export interface RunningBridge {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly token: string;
  /** The page with its token, as printed: http://127.0.0.1:PORT/?token=... */
  readonly pageUrl: string;
  close(): Promise<void>;
}

class BridgeRefusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

function packageVersion(): string {
  try {
    const path = fileURLToPath(new URL('../../../package.json', import.meta.url));
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function sendJson(res: ServerResponse, status: number, body: CallOutcome<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function refuse(res: ServerResponse, refusal: BridgeRefusal, headers: Readonly<Record<string, string>> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendJson(res, refusal.status, { ok: false, error: { code: refusal.code, message: refusal.message } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) throw new BridgeRefusal(413, 'too-large', `the arguments exceed ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BridgeRefusal(413, 'too-large', `the arguments exceed ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startBridge(options: BridgeOptions = {}): Promise<RunningBridge> {
  const home = options.home ?? defaultHome();
  const rendererRoot = options.rendererRoot ?? defaultRendererRoot();
  const log = options.log ?? ((line: string) => void process.stderr.write(`curvekeep bridge: ${line}\n`));
  const token = randomBytes(32).toString('base64url');
  const writeRoot = resolve(options.writeRoot ?? (process.env.CURVEKEEP_BRIDGE_WRITE_ROOT || join(home, 'exports')));

  let workspace: Workspace | undefined;
  const context: HandlerContext = {
    shell: 'bridge',
    appVersion: options.appVersion ?? packageVersion(),
    workspace: () => (workspace ??= createWorkspace(home, new OsKeychain(keychainServiceName()), undefined, { store: storeUrlFor(home) })),
    // No dialog in a browser: each export gets a fresh folder inside the write root.
    chooseExportFolder: async () => {
      await mkdir(writeRoot, { recursive: true, mode: 0o700 });
      return mkdtemp(join(writeRoot, 'export-'));
    },
  };
  const dispatcher = new Dispatcher({ handlers: handlerTable, context, trusted: { kind: 'bridge', token }, log });

  let origin = '';
  let host = '';

  function checkCaller(req: IncomingMessage): void {
    if (req.headers.host !== host) throw new BridgeRefusal(403, 'foreign-host', `this bridge answers only to ${host}`);
    const from = req.headers.origin;
    if (from !== undefined && from !== origin) throw new BridgeRefusal(403, 'foreign-origin', 'calls from another site are refused');
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new BridgeRefusal(403, 'foreign-origin', 'calls from another site are refused');
  }

  async function call(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'POST') return refuse(res, new BridgeRefusal(405, 'method', 'calls are POST requests'), { Allow: 'POST' });
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) throw new BridgeRefusal(415, 'content-type', 'calls carry their arguments as application/json');
    // The token is checked before a byte of the body is read (and again by the dispatcher).
    const tokenHeader = req.headers[BRIDGE_TOKEN_HEADER];
    if (typeof tokenHeader !== 'string' || tokenHeader === '') {
      throw new BridgeRefusal(401, 'token-required', 'this bridge needs the token printed when it started (open the printed UI link)');
    }
    if (!tokensMatch(tokenHeader, token)) {
      throw new BridgeRefusal(403, 'foreign-sender', 'wrong bridge token; open the link the bridge printed when it started');
    }
    const text = await readBody(req);
    let args: unknown;
    try {
      args = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new BridgeRefusal(400, 'invalid-arguments', 'the arguments are not valid JSON');
    }
    let channel: string;
    try {
      channel = decodeURIComponent(pathname.slice(BRIDGE_CALL_PATH.length));
    } catch {
      channel = '';
    }
    const outcome = await dispatcher.call(channel, args, { kind: 'bridge', token: typeof tokenHeader === 'string' ? tokenHeader : undefined });
    sendJson(res, outcome.ok ? 200 : (REFUSAL_STATUS[outcome.error.code] ?? 200), outcome);
  }

  async function page(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, new BridgeRefusal(405, 'method', 'only GET here'), { Allow: 'GET, HEAD' });
    const file = await readRendererFile(rendererRoot, pathname);
    if (!file) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': file.contentType, 'Content-Length': file.body.length, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const server: Server = createServer((req, res) => {
    const work = async () => {
      checkCaller(req);
      const { pathname } = new URL(req.url ?? '/', origin);
      if (pathname.startsWith(BRIDGE_CALL_PATH)) await call(req, res, pathname);
      else await page(req, res, pathname);
    };
    work().catch((error: unknown) => {
      if (error instanceof BridgeRefusal) {
        log(`refused ${req.method ?? '?'} request: ${error.message}`);
        // A body left unread is not read at all: the connection closes after the answer.
        if (!res.headersSent) refuse(res, error, error.status === 413 || !req.complete ? { Connection: 'close' } : {});
        return;
      }
      log(`internal error while answering a request: ${error instanceof Error ? error.name : typeof error}`);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'the bridge failed to answer' } });
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 300_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${options.port} on 127.0.0.1 is in use`) : error),
    );
    server.listen({ host: '127.0.0.1', port: options.port ?? 0, exclusive: true }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;

  return {
    port,
    origin,
    token,
    pageUrl: `${origin}/?token=${token}`,
    close: async () => {
      // Waiting long polls answer at once, and the folder watch stops, before the server closes.
      await workspace?.changes.close();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

class UsageError extends Error {}

/** The port asked for by `--port N` (or `--port=N`), else CURVEKEEP_BRIDGE_PORT, else 0 (any). */
export function bridgePort(argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): number {
  return bridgeArguments(argv, env).port;
}

/** `--port N` / `--port=N` (else CURVEKEEP_BRIDGE_PORT, else 0: any) and `--write-root DIR`. */
export function bridgeArguments(argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): { port: number; writeRoot?: string } {
  let given: string | undefined;
  let writeRoot: string | undefined;
  let from = '--port';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--port') {
      given = argv[++i];
      if (given === undefined) throw new UsageError('--port needs a port number');
    } else if (arg.startsWith('--port=')) {
      given = arg.slice('--port='.length);
    } else if (arg === '--write-root' || arg.startsWith('--write-root=')) {
      writeRoot = arg === '--write-root' ? argv[++i] : arg.slice('--write-root='.length);
      if (!writeRoot) throw new UsageError('--write-root needs a folder');
    } else {
      throw new UsageError(`unknown option ${JSON.stringify(arg)}: the bridge takes --port N and --write-root DIR only, and always listens on 127.0.0.1`);
    }
  }
  if (given === undefined && env.CURVEKEEP_BRIDGE_PORT !== undefined && env.CURVEKEEP_BRIDGE_PORT !== '') {
    given = env.CURVEKEEP_BRIDGE_PORT;
    from = 'CURVEKEEP_BRIDGE_PORT';
  }
  if (given === undefined) return { port: 0, ...(writeRoot ? { writeRoot } : {}) };
  const port = /^\d{1,5}$/.test(given) ? Number(given) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`${from} takes a port number from 1 to 65535, got ${JSON.stringify(given)}`);
  return { port, ...(writeRoot ? { writeRoot } : {}) };
}

async function main(): Promise<void> {
  if (process.versions.electron) {
    process.stderr.write('curvekeep: the browser bridge is for development only and does not run inside the app\n');
    process.exit(2);
  }
  let args: { port: number; writeRoot?: string };
  try {
    args = bridgeArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`curvekeep bridge: ${error.message}\n`);
    process.exit(2);
  }
  const rendererRoot = defaultRendererRoot();
  if (!existsSync(join(rendererRoot, 'index.html'))) {
    process.stderr.write(`curvekeep bridge: ${join(rendererRoot, 'index.html')} is missing; run \`npm run build:renderer\` (calls still work)\n`);
  }
  const bridge = await startBridge({ rendererRoot, ...args });
  process.stdout.write(`UI: ${bridge.pageUrl}\n`);
  const stop = () => {
    bridge.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function runAsScript(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (runAsScript()) {
  main().catch((error: unknown) => {
    process.stderr.write(`curvekeep bridge: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
  });
}
