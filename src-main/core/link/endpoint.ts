// ZeroMQ TCP endpoints as users type them: `tcp://host:port`, `host:port`, `tcp://[::1]:port`.
import { InvalidInputError } from '../errors.js';

export interface TcpEndpoint {
  /** Normalised, always with the `tcp://` scheme. */
  readonly endpoint: string;
  /** Host name or address, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
}

/**
 * Parses an endpoint to connect to. `forBind` also allows the wildcard host `*` and port 0
 * (any free port), which only make sense for `serve`.
 */
export function parseEndpoint(text: string, forBind = false): TcpEndpoint {
  const trimmed = text.trim();
  const withScheme = trimmed.includes('://') ? trimmed : `tcp://${trimmed}`;
  const match = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^:/[\]\s]+):(\d{1,5})$/.exec(withScheme);
  if (!match) {
    throw new InvalidInputError(
      `endpoint ${JSON.stringify(text)} is not a TCP endpoint: write it as tcp://HOST:PORT (e.g. tcp://10.0.0.7:5555)`,
    );
  }
  const rawHost = match[1]!;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const port = Number(match[2]);
  if (host === '*' && !forBind) {
    throw new InvalidInputError(`endpoint ${JSON.stringify(text)}: the wildcard host * can only be served, not tested`);
  }
  if (port > 65535 || (port === 0 && !forBind)) {
    throw new InvalidInputError(`endpoint ${JSON.stringify(text)}: port ${port} is not between 1 and 65535`);
  }
  return { endpoint: `tcp://${rawHost}:${port}`, host, port };
}
