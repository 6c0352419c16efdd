// The ZMTP probe: a raw TCP connection that reads a peer's greeting and leaves before any
// handshake. It answers "which mechanism does that port speak?" without a key, and without the
// peer's authenticator ever seeing a request.
import { connect, type Socket } from 'node:net';
import { InvalidInputError } from '../errors.js';
import { parseEndpoint } from './endpoint.js';
import { GREETING_LENGTH, GREETING_PREFIX, type Mechanism, describeBytes, parseGreeting } from './zmtp-greeting.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

export interface ProbeOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

interface ProbeBase {
  /** The endpoint probed, normalised (`tcp://host:port`). */
  readonly endpoint: string;
  /** Milliseconds from the start until the answer. */
  readonly ms: number;
  /** What was seen, in words. */
  readonly detail: string;
}

export interface ZmtpProbeResult extends ProbeBase {
  readonly outcome: 'zmtp';
  readonly zmtp: true;
  readonly version: string;
  readonly mechanism: Mechanism;
  readonly asServer: boolean;
}

export interface FailedProbeResult extends ProbeBase {
  readonly outcome: 'not-zmtp' | 'unreachable' | 'timeout';
  readonly zmtp: false;
  /** The first bytes the peer sent (printable text or hex), when it sent any. */
  readonly seen?: string;
}

export type ProbeResult = ZmtpProbeResult | FailedProbeResult;

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL',
]);

export function checkTimeout(timeoutMs: number | undefined, fallback: number): number {
  const value = timeoutMs ?? fallback;
  if (!Number.isFinite(value) || value <= 0 || value > 600_000) {
    throw new InvalidInputError(`timeout ${value} ms is not between 1 and 600000 ms`);
  }
  return value;
}

/** Reads the ZMTP greeting of ENDPOINT. Never rejects except on bad input or cancellation. */
export function probeEndpoint(endpointText: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const { endpoint, host, port } = parseEndpoint(endpointText);
  const timeoutMs = checkTimeout(options.timeoutMs, DEFAULT_PROBE_TIMEOUT_MS);
  const { signal } = options;
  signal?.throwIfAborted();
  const started = performance.now();

  return new Promise<ProbeResult>((resolve, reject) => {
    // The only buffers: Node reads into `chunk` (64 bytes) and we keep at most 64 in `received`.
    const chunk = Buffer.alloc(GREETING_LENGTH);
    const received = Buffer.alloc(GREETING_LENGTH);
    let length = 0;
    let connected = false;
    let settled = false;

    const finish = (result: ProbeResult | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;
    const failed = (outcome: FailedProbeResult['outcome'], detail: string): FailedProbeResult => ({
      outcome, zmtp: false, endpoint, ms: elapsed(), detail,
      ...(length > 0 ? { seen: describeBytes(received.subarray(0, length)) } : {}),
    });
    const onAbort = (): void => finish(signal?.reason instanceof Error ? signal.reason : new Error('probe cancelled'));

    const socket: Socket = connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: chunk,
        callback: (bytesRead: number, buffer: Uint8Array): boolean => {
          if (settled) return false;
          const take = Math.min(bytesRead, GREETING_LENGTH - length);
          received.set(buffer.subarray(0, take), length);
          length += take;
          const parsed = parseGreeting(received.subarray(0, length));
          if (parsed.status === 'zmtp') {
            finish({
              outcome: 'zmtp', zmtp: true, endpoint, ms: elapsed(),
              version: parsed.version, mechanism: parsed.mechanism, asServer: parsed.asServer,
              detail: `ZMTP ${parsed.version}, mechanism ${parsed.mechanism}${parsed.asServer ? ', as server' : ''}`,
            });
          } else if (parsed.status === 'not-zmtp') {
            finish(failed('not-zmtp', `not a ZMTP 3 greeting: ${parsed.reason}`));
          }
          // Stop reading once a decision is made; a peer sending without end is never buffered.
          return !settled;
        },
      },
    });

    const timer = setTimeout(() => {
      finish(failed('timeout', connected
        ? `connected, but ${length === 0 ? 'no greeting' : `only ${length} of ${GREETING_LENGTH} greeting bytes`} within ${timeoutMs} ms`
        : `no TCP connection within ${timeoutMs} ms (filtered, or the host is down)`));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    socket.on('connect', () => {
      connected = true;
      socket.write(GREETING_PREFIX);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'error';
      if (!connected && UNREACHABLE_CODES.has(code)) finish(failed('unreachable', `${code}: ${describeUnreachable(code, host, port)}`));
      else if (!connected && code === 'ETIMEDOUT') finish(failed('timeout', `no TCP connection (${code})`));
      else finish(failed('not-zmtp', `the connection failed after ${length} bytes (${code}) before a ZMTP greeting`));
    });
    socket.on('close', () => {
      finish(failed('not-zmtp', length === 0
        ? 'the peer closed the connection without sending a greeting'
        : `the peer closed the connection after ${length} of ${GREETING_LENGTH} greeting bytes`));
    });
  });
}

function describeUnreachable(code: string, host: string, port: number): string {
  switch (code) {
    case 'ECONNREFUSED': return `nothing listens on ${host} port ${port}`;
    case 'ENOTFOUND': case 'EAI_NONAME': case 'EAI_FAIL': return `the name ${host} was not found`;
    case 'EAI_AGAIN': return `the name ${host} could not be resolved (DNS unavailable)`;
    default: return `no route to ${host}`;
  }
}
