// A ZAP handler (ZeroMQ RFC 27): libzmq asks `inproc://zeromq.zap.01` in the server socket's own
// context whether to admit each CURVE client, and waits for the answer before the handshake ends.
// zeromq.js v6 has no built-in authenticator, so this is a ROUTER bound there.
//
// Only one socket per context can bind that address, so one handler serves every responder of a
// context and passes each request to the policy registered for the server socket's ZAP domain.
// Every request gets an answer: an unknown domain or a malformed request is refused, never
// left waiting (libzmq would hold the client's handshake until the peer gives up).
//
// The handler must outlive every session that may talk to it: libzmq aborts the whole process
// (an assertion in `session_base_t::write_zap_msg`, libzmq issue #2476) when a server session
// writes a ZAP request while the handler socket is closing. A server socket's sessions end
// asynchronously after `close()`, on libzmq's reaper thread; the socket's monitor reports `end`
// only once the socket and all its sessions are gone. So a registration names its server socket,
// and the handler closes only after every such socket has ended and no policy is left.
import * as zmq from 'zeromq';
import type { PublicKey } from '../curve/keys.js';
import { z85Encode } from '../curve/z85.js';
import { socketEvents } from './socket-events.js';

export const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';
const ZAP_VERSION = '1.0';

export interface ZapRequest {
  readonly domain: string;
  /** The client's IP address as libzmq reports it. */
  readonly address: string;
  readonly mechanism: string;
  /** The client's CURVE public key (CURVE requests only). */
  readonly clientKey?: PublicKey;
}

export type ZapStatus = 200 | 300 | 400 | 500;

export interface ZapAnswer {
  readonly status: ZapStatus;
  readonly text: string;
  /** The user id libzmq attaches to the client's messages. */
  readonly userId?: string;
}

export type ZapPolicy = (request: ZapRequest) => ZapAnswer;

export interface ZapRegistration {
  readonly domain: string;
  /**
   * Removes the policy once the server socket (closed by the caller first) has ended all its
   * sessions; the last one out closes the handler socket.
   */
  unregister(): Promise<void>;
}

/**
 * Longest wait for a closed server socket to report its end. zeromq.js does not always deliver the
 * monitor's `end` for a closed socket (seen in about half the runs of test/integration/link/exit.test.ts);
 * by then libzmq has long torn down sessions of a linger-0 socket, so the handler closes anyway
 * rather than keep the process alive for ever.
 */
const SERVER_END_WAIT_MS = 1_500;

class ZapHandler {
  readonly #policies = new Map<string, ZapPolicy>();
  readonly #router: zmq.Router;
  readonly #serving: Promise<void>;

  private constructor(router: zmq.Router) {
    this.#router = router;
    this.#serving = this.#serve();
  }

  static async open(context: zmq.Context): Promise<ZapHandler> {
    const router = new zmq.Router({ context, linger: 0 });
    // A handler closed a moment ago may still hold the address: libzmq releases it from its
    // reaper thread, shortly after close() returns.
    for (let attempt = 1; ; attempt++) {
      try {
        await router.bind(ZAP_ENDPOINT);
        return new ZapHandler(router);
      } catch (error) {
        if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= 100) {
          router.close();
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  get size(): number {
    return this.#policies.size;
  }

  add(domain: string, policy: ZapPolicy): void {
    this.#policies.set(domain, policy);
  }

  remove(domain: string): void {
    this.#policies.delete(domain);
  }

  has(domain: string): boolean {
    return this.#policies.has(domain);
  }

  async close(): Promise<void> {
    this.#router.close();
    await this.#serving;
  }

  async #serve(): Promise<void> {
    try {
      for await (const frames of this.#router) {
        const reply = this.#answer(frames);
        if (reply) await this.#router.send(reply);
      }
    } catch {
      // The loop ends when the socket closes.
    }
  }

  /** The reply frames for one request, or undefined when it cannot even be addressed. */
  #answer(frames: ReadonlyArray<Buffer>): Array<Buffer | string> | undefined {
    // [routing id, empty delimiter, version, request id, domain, address, identity, mechanism, credentials...]
    const [routingId, delimiter, version, requestId, domain, address, , mechanism, ...credentials] = frames;
    if (!routingId || !delimiter || delimiter.length !== 0 || !requestId) return undefined;
    const reply = (answer: ZapAnswer): Array<Buffer | string> =>
      [routingId, '', ZAP_VERSION, requestId, String(answer.status), answer.text, answer.userId ?? '', ''];
    if (version?.toString() !== ZAP_VERSION || domain === undefined || address === undefined || mechanism === undefined) {
      return reply({ status: 500, text: 'malformed ZAP request' });
    }
    const request: ZapRequest = {
      domain: domain.toString(),
      address: address.toString(),
      mechanism: mechanism.toString(),
      ...(mechanism.toString() === 'CURVE' && credentials[0]?.length === 32
        ? { clientKey: z85Encode(new Uint8Array(credentials[0])) as PublicKey }
        : {}),
    };
    const policy = this.#policies.get(request.domain);
    if (!policy) return reply({ status: 400, text: `no policy for ZAP domain ${JSON.stringify(request.domain)}` });
    try {
      return reply(policy(request));
    } catch {
      return reply({ status: 500, text: 'the authenticator failed' });
    }
  }
}

// One handler per context, opened and closed under a per-context queue so that a registration
// never races the closing of the previous handler.
const handlers = new WeakMap<zmq.Context, { handler?: ZapHandler; queue: Promise<unknown> }>();

function serially<T>(context: zmq.Context, work: (state: { handler?: ZapHandler }) => Promise<T>): Promise<T> {
  let state = handlers.get(context);
  if (!state) {
    state = { queue: Promise.resolve() };
    handlers.set(context, state);
  }
  const current = state;
  const next = current.queue.then(() => work(current));
  current.queue = next.catch(() => undefined);
  return next;
}

/**
 * Installs `policy` for ZAP requests of `domain` in `context` (default: zeromq.js's context).
 * `server` is the socket that uses the domain (created, not yet bound): unregistering waits until
 * it has ended, so the handler never closes under one of its sessions (read its other events through
 * socketEvents(): zeromq.js allows one reader per socket). Without it (a socket the
 * caller manages), the caller must know that socket has no handshake in flight.
 */
export function registerZapPolicy(
  domain: string,
  policy: ZapPolicy,
  context: zmq.Context = zmq.context,
  server?: zmq.Socket,
): Promise<ZapRegistration> {
  return serially(context, async (state) => {
    state.handler ??= await ZapHandler.open(context);
    if (state.handler.has(domain)) throw new Error(`ZAP domain ${domain} is already registered`);
    state.handler.add(domain, policy);
    // Subscribe before close(): a closed socket's monitor can no longer be reached.
    const events = server ? socketEvents(server) : undefined;
    let unregistering: Promise<void> | undefined;
    return {
      domain,
      unregister: () => (unregistering ??= (async () => {
        // The server is gone with all its sessions at its monitor's `end`; without it in time
        // the reading stops, which would otherwise keep the process alive for ever.
        await events?.retire(SERVER_END_WAIT_MS);
        await serially(context, async (current) => {
          if (!current.handler) return;
          current.handler.remove(domain);
          if (current.handler.size === 0) {
            const handler = current.handler;
            delete current.handler;
            await handler.close();
          }
        });
      })()),
    };
  });
}
