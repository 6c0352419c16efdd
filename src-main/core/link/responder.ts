// The other end of a link test: a CURVE echo server (ROUTER: it answers REQ, DEALER and ROUTER
// clients alike) that admits clients through its own ZAP policy: every allowed peer, a named list
// of keys, or anyone. Each admitted and refused client is reported with its key, its name when
// known, and its safety code, so the person at the server can read it out to the person testing.
import * as zmq from 'zeromq';
import { type PublicKey, type SecretKey, assertKeyPairMatches, parsePublicKey, parseSecretKey } from '../curve/keys.js';
import { type SafetyCode, safetyCode } from '../curve/safety-code.js';
import { NetworkError } from '../errors.js';
import { parseEndpoint } from './endpoint.js';
import { socketEvents } from './socket-events.js';
import { type ZapPolicy, type ZapRegistration, registerZapPolicy } from './zap.js';

export interface KnownClient {
  readonly publicKey: PublicKey;
  readonly name?: string;
}

export interface ClientEvent {
  readonly admitted: boolean;
  readonly publicKey: PublicKey;
  readonly name?: string;
  readonly safetyCode: SafetyCode;
  /** The client's IP address. */
  readonly address: string;
  readonly at: Date;
}

export interface ResponderOptions {
  /** Where to listen: `tcp://HOST:PORT`; port 0 picks a free port (see `Responder.endpoint`). */
  readonly endpoint: string;
  readonly server: { readonly publicKey: string; readonly secretKey: string };
  /** `any` admits every client; a list admits exactly those keys. */
  readonly allow: 'any' | ReadonlyArray<KnownClient>;
  /** Names for clients that are admitted without being listed (with `allow: 'any'`). */
  readonly known?: ReadonlyArray<KnownClient>;
  readonly onClient?: (event: ClientEvent) => void;
  /** The zeromq context; the ZAP handler lives in the same one. Default: zeromq.js's context. */
  readonly context?: zmq.Context;
}

export interface ResponderStats {
  readonly admitted: number;
  readonly refused: number;
  readonly echoed: number;
}

export interface Responder {
  /** The endpoint actually bound (with the port picked for port 0). */
  readonly endpoint: string;
  readonly publicKey: PublicKey;
  readonly stats: ResponderStats;
  /** Stops listening, echoing and authenticating. Safe to call twice. */
  close(): Promise<void>;
}

let responderCount = 0;

export async function startResponder(options: ResponderOptions): Promise<Responder> {
  const { endpoint } = parseEndpoint(options.endpoint, true);
  const publicKey = parsePublicKey(options.server.publicKey, 'server public key');
  const secretKey: SecretKey = parseSecretKey(options.server.secretKey, 'server secret key');
  assertKeyPairMatches(publicKey, secretKey);
  const context = options.context ?? zmq.context;

  const names = new Map<string, string | undefined>();
  for (const client of options.known ?? []) names.set(client.publicKey, client.name);
  const allowed = options.allow === 'any' ? undefined : new Set(options.allow.map((client) => client.publicKey));
  for (const client of options.allow === 'any' ? [] : options.allow) names.set(client.publicKey, client.name ?? names.get(client.publicKey));

  const stats = { admitted: 0, refused: 0, echoed: 0 };
  const domain = `curvekeep-responder-${process.pid}-${++responderCount}`;
  const policy: ZapPolicy = (request) => {
    const clientKey = request.clientKey;
    if (!clientKey) return { status: 400, text: 'CURVE only' };
    const admitted = allowed === undefined || allowed.has(clientKey);
    const name = names.get(clientKey);
    if (admitted) stats.admitted++;
    else stats.refused++;
    options.onClient?.({
      admitted, publicKey: clientKey, ...(name ? { name } : {}), safetyCode: safetyCode(clientKey), address: request.address, at: new Date(),
    });
    return admitted
      ? { status: 200, text: 'OK', userId: name ?? clientKey }
      : { status: 400, text: 'client key not allowed' };
  };
  // zapEnforceDomain: without a handler, libzmq would admit every CURVE client (its "Stonehouse"
  // legacy); with it, a missing handler refuses them.
  const router = new zmq.Router({ context, linger: 0, curveServer: true, curveSecretKey: secretKey, zapDomain: domain, zapEnforceDomain: true });
  let zap: ZapRegistration;
  try {
    // The registration watches the router: the ZAP handler outlives every session of it.
    zap = await registerZapPolicy(domain, policy, context, router);
  } catch (error) {
    router.close();
    throw error;
  }

  try {
    await router.bind(endpoint);
  } catch (error) {
    router.close();
    await zap.unregister();
    const reason = (error as { code?: string }).code === 'EADDRINUSE' ? 'the address is already in use' : (error as Error).message;
    throw new NetworkError(`cannot listen on ${endpoint}: ${reason}`);
  }

  const echoing = (async () => {
    try {
      for await (const frames of router) {
        await router.send(frames);
        stats.echoed++;
      }
    } catch {
      // The loop ends when the socket closes.
    }
  })();

  const bound = router.lastEndpoint ?? endpoint;
  let closing: Promise<void> | undefined;
  return {
    endpoint: bound,
    publicKey,
    get stats() {
      return { ...stats };
    },
    close: () => (closing ??= (async () => {
      // Never unbind() here: zeromq.js runs unbind (and bind) on a libuv worker thread while the
      // echo loop's pending receive keeps polling the same socket on the main thread, and two
      // threads inside one libzmq socket abort the process (pipe.cpp:355, socket_base.cpp:2113;
      // docs/ARCHITECTURE.md section 10). close() runs on the main thread and ends the receive.
      const listenerClosed = listenerClosedAfterClose(router, bound);
      router.close();
      await echoing;
      await listenerClosed;
      await zap.unregister();
    })()),
  };
}

/**
 * Resolves once libzmq reports the listener of `endpoint` closed (its I/O thread closes the port
 * shortly after the socket's close() returns; a caller that reuses the port right after close()
 * must not find the old listener still accepting), or the socket ended, or at most a second later.
 * Call it before close(): a closed socket's events can no longer be subscribed to.
 */
function listenerClosedAfterClose(router: zmq.Router, endpoint: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1000);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const events = socketEvents(router);
    events.on('close', (event) => {
      if (event.address === endpoint) done();
    });
    events.on('end', done);
  });
}
