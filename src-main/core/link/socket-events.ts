// A socket's monitor events, read in one loop per socket that can be stopped.
//
// zeromq.js's `socket.events` observer keeps a receive pending on its monitor socket until libzmq
// delivers the monitor's `end`, and that pending receive keeps the Node.js event loop alive. libzmq
// does not always deliver `end` for a closed socket (its monitor socket has linger 0), so an
// observer left reading after its socket closed keeps the process running for ever. It must be
// closed explicitly, and not in zeromq.js's emitter mode (`events.on(...)`): closing that observer
// rejects its internal read loop, an unhandled rejection that ends the process.
import type * as zmq from 'zeromq';

export interface SocketEvents {
  on<E extends zmq.EventType>(type: E, listener: (event: zmq.EventOfType<E>) => void): void;
  /** Stops reading: ends the pending receive on the monitor socket. Safe to call twice. */
  close(): void;
}

const watches = new WeakMap<zmq.Socket, SocketEvents>();

/** The one event reader of `socket` (created on first use; the socket must still be open then). */
export function socketEvents(socket: zmq.Socket): SocketEvents {
  const known = watches.get(socket);
  if (known) return known;
  const observer = socket.events;
  const listeners = new Map<zmq.EventType, Array<(event: zmq.Event) => void>>();
  void (async () => {
    try {
      for await (const event of observer) {
        for (const listener of listeners.get(event.type) ?? []) listener(event);
      }
    } catch {
      // Closed while reading.
    }
  })();
  const watch: SocketEvents = {
    on(type, listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener as (event: zmq.Event) => void]);
    },
    close() {
      if (!observer.closed) observer.close();
    },
  };
  watches.set(socket, watch);
  return watch;
}
