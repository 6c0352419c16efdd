// One CURVE connection attempt with a real ZeroMQ socket, read through the socket's monitor
// events: did the handshake complete, did the peer's authenticator refuse us, or did the
// connection die silently? Reconnection is off and linger is 0, so that closing the socket
// leaves nothing behind: no retry loop, no pending message, no open file descriptor.
import * as zmq from 'zeromq';
import type { LinkSocketType } from '../../common/link.js';
import type { PublicKey, SecretKey } from '../curve/keys.js';
import { type SocketEvents, socketEvents } from './socket-events.js';

export type { LinkSocketType };

export interface AttemptTarget {
  readonly endpoint: string;
  readonly serverKey: PublicKey;
  readonly publicKey: PublicKey;
  readonly secretKey: SecretKey;
}

export type AttemptOutcome =
  | { readonly kind: 'handshake'; readonly handshakeMs: number; readonly rttMs?: number; readonly echo: 'echoed' | 'replied' | 'silent' | 'not-tried' }
  | { readonly kind: 'auth'; readonly status: number; readonly message: string }
  | { readonly kind: 'protocol'; readonly code: string }
  /** Connected, then the peer closed the connection without a word (EPIPE, disconnect). */
  | { readonly kind: 'dropped'; readonly detail: string }
  /** Nothing decisive before the deadline. */
  | { readonly kind: 'stalled'; readonly connected: boolean }
  | { readonly kind: 'connect-failed'; readonly detail: string }
  | { readonly kind: 'cancelled' };

export interface AttemptOptions {
  /** performance.now() value by which the attempt gives up. */
  readonly deadline: number;
  /** performance.now() value the handshake time is counted from. */
  readonly startedAt: number;
  /** Longest wait for an echo after the handshake (never past the deadline). */
  readonly echoTimeoutMs: number;
  readonly measureRtt: boolean;
  readonly signal: AbortSignal;
}

const PING = 'curvekeep-ping';
const HANDSHAKE_MARGIN_MS = 250;
/** Longest wait for a closed socket's monitor to report `end` before its reader stops. */
const END_WAIT_MS = 1_500;

function createSocket(type: LinkSocketType, target: AttemptTarget, waitMs: number): zmq.Socket {
  const options = {
    linger: 0,
    // -1: no reconnection after a failed or dropped connection; one test, one connection.
    reconnectInterval: -1,
    connectTimeout: waitMs,
    // libzmq (4.3.5) sometimes keeps the TCP connection of a socket closed mid-handshake open
    // until its handshake timer fires; tying that timer to our limit bounds the leftover. The
    // margin lets our own timer decide a stall first.
    handshakeInterval: waitMs + HANDSHAKE_MARGIN_MS,
    curveServerKey: target.serverKey,
    curvePublicKey: target.publicKey,
    curveSecretKey: target.secretKey,
  };
  switch (type) {
    case 'dealer': return new zmq.Dealer(options);
    case 'req': return new zmq.Request(options);
    case 'pair': return new zmq.Pair(options);
    case 'router': return new zmq.Router(options);
    case 'sub': return new zmq.Subscriber(options);
    case 'pub': return new zmq.Publisher(options);
    case 'pull': return new zmq.Pull(options);
    case 'push': return new zmq.Push(options);
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

/** Connects once with `type`, waits for the handshake's outcome, measures an echo, and closes. */
export async function attemptCurve(type: LinkSocketType, target: AttemptTarget, options: AttemptOptions): Promise<AttemptOutcome> {
  const waitMs = Math.max(1, Math.ceil(options.deadline - performance.now()));
  const socket = createSocket(type, target, waitMs);
  let events: SocketEvents | undefined;
  try {
    events = socketEvents(socket);
  } catch {
    // No monitor: whatever the handshake does is decided by the timer.
  }
  try {
    const handshake = await waitForHandshake(socket, events, target.endpoint, options, waitMs);
    if (handshake.kind !== 'handshake' || !options.measureRtt) return handshake;
    return { ...handshake, ...(await measureEcho(socket, type, options)) };
  } finally {
    socket.close();
    // The monitor does not always report `end` for a closed socket; its reader must stop then.
    void events?.retire(END_WAIT_MS);
  }
}

function waitForHandshake(socket: zmq.Socket, events: SocketEvents | undefined, endpoint: string, options: AttemptOptions, waitMs: number): Promise<AttemptOutcome> {
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    let connected = false;
    const settle = (found: AttemptOutcome): void => {
      if (settled) return;
      // A connection that dies at the limit died of libzmq's handshake timer: a stall.
      const outcome = found.kind === 'dropped' && performance.now() >= options.deadline - 5 ? { kind: 'stalled' as const, connected } : found;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => settle({ kind: 'cancelled' });
    const timer = setTimeout(() => settle({ kind: 'stalled', connected }), waitMs);
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();

    events?.onAny((event) => {
      if (settled) return;
      switch (event.type) {
        case 'connect':
          connected = true;
          break;
        case 'handshake':
          settle({ kind: 'handshake', handshakeMs: round(performance.now() - options.startedAt), echo: 'not-tried' });
          break;
        case 'handshake:error:auth':
          settle({ kind: 'auth', status: event.error.status, message: event.error.message });
          break;
        case 'handshake:error:protocol':
          settle({ kind: 'protocol', code: event.error.code });
          break;
        case 'handshake:error:other': {
          const code = errorCode(event.error);
          // libzmq's own handshake timer (EAGAIN) is a stall, not the peer hanging up.
          if (code === 'EAGAIN' || code === 'ETIMEDOUT') settle({ kind: 'stalled', connected });
          else settle({ kind: 'dropped', detail: `the peer closed the connection during the handshake (${code})` });
          break;
        }
        case 'disconnect':
          settle(connected
            ? { kind: 'dropped', detail: 'the peer closed the connection during the handshake' }
            : { kind: 'connect-failed', detail: 'the connection closed before it was established' });
          break;
        case 'connect:retry':
        case 'close':
          if (!connected) settle({ kind: 'connect-failed', detail: 'the TCP connection failed' });
          break;
        default:
          break;
      }
    });
    socket.connect(endpoint);
  });
}

async function measureEcho(socket: zmq.Socket, type: LinkSocketType, options: AttemptOptions): Promise<{ rttMs?: number; echo: 'echoed' | 'replied' | 'silent' | 'not-tried' }> {
  if (type !== 'dealer' && type !== 'req' && type !== 'pair') return { echo: 'not-tried' };
  const waitMs = Math.floor(Math.min(options.echoTimeoutMs, options.deadline - performance.now()));
  if (waitMs < 1 || options.signal.aborted) return { echo: 'not-tried' };
  const writable = socket as zmq.Socket & zmq.Writable & zmq.Readable;
  writable.sendTimeout = waitMs;
  writable.receiveTimeout = waitMs;
  const nonce = `${PING} ${Math.random().toString(36).slice(2)}`;
  // A DEALER talking to REP or ROUTER must frame the request like REQ does: an empty delimiter first.
  const frames = type === 'dealer' ? ['', nonce] : [nonce];
  const sentAt = performance.now();
  const cancelled = new Promise<'cancelled'>((resolve) => options.signal.addEventListener('abort', () => resolve('cancelled'), { once: true }));
  try {
    await writable.send(frames);
    const reply = await Promise.race([writable.receive(), cancelled]);
    if (reply === 'cancelled') return { echo: 'not-tried' };
    const rttMs = round(performance.now() - sentAt);
    const last = reply[reply.length - 1];
    return { rttMs, echo: last !== undefined && last.toString() === nonce ? 'echoed' : 'replied' };
  } catch {
    return { echo: 'silent' };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
