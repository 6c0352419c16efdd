// A socket's monitor events, read in one loop per socket that can be stopped.
//
// zeromq.js's `socket.events` observer keeps a receive pending on its monitor socket until libzmq
// delivers the monitor's `end`, and that pending receive keeps the Node.js event loop alive. libzmq
// does not always deliver `end` for a closed socket, so an observer left reading after its socket
// closed keeps the process running for ever. It must be closed explicitly, and not in zeromq.js's
// emitter mode (`events.on(...)`): closing that observer rejects its internal read loop, an
// unhandled rejection that ends the process.
//
// An observer closed before `end` is kept for the life of the process: libzmq names the monitor
// endpoint after the observer's address, and that endpoint stays bound while libzmq still holds
// the socket; a new observer allocated at the same address would fail with EADDRINUSE.
import type * as zmq from 'zeromq';

export interface SocketEvents {
  on<E extends zmq.EventType>(type: E, listener: (event: zmq.EventOfType<E>) => void): void;
  /** Every event, in order. */
  onAny(listener: (event: zmq.Event) => void): void;
  /**
   * Call after the socket's close(): waits at most `waitMs` for the monitor's `end`, then stops
   * reading. True when `end` came. Safe to call twice.
   */
  retire(waitMs: number): Promise<boolean>;
}

const watches = new WeakMap<zmq.Socket, SocketEvents>();
const lingering = new Set<zmq.Observer>();

/** The one event reader of `socket` (created on first use; the socket must still be open then). */
export function socketEvents(socket: zmq.Socket): SocketEvents {
  const known = watches.get(socket);
  if (known) return known;
  const observer = socket.events;
  const listeners: Array<{ type?: zmq.EventType; listener: (event: zmq.Event) => void }> = [];
  let markEnded: () => void = () => undefined;
  const ended = new Promise<true>((resolve) => { markEnded = () => resolve(true); });
  void (async () => {
    try {
      for await (const event of observer) {
        for (const entry of listeners) if (entry.type === undefined || entry.type === event.type) entry.listener(event);
        if (event.type === 'end') markEnded();
      }
    } catch {
      // Closed while reading.
    }
  })();
  let retiring: Promise<boolean> | undefined;
  const watch: SocketEvents = {
    on(type, listener) {
      listeners.push({ type, listener: listener as (event: zmq.Event) => void });
    },
    onAny(listener) {
      listeners.push({ listener });
    },
    retire: (waitMs) => (retiring ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), waitMs); });
      const cameInTime = await Promise.race([ended, late]);
      clearTimeout(timer);
      if (!cameInTime && !observer.closed) {
        lingering.add(observer);
        observer.close();
      }
      return cameInTime;
    })()),
  };
  watches.set(socket, watch);
  return watch;
}
