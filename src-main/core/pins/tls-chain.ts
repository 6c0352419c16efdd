// The chain a live TLS endpoint presents. The connection never rejects an untrusted chain
// (`rejectUnauthorized: false`): trust and hostname are evaluated and reported, so that a user
// can see and pin a private CA's chain. Pins are read from the connected socket, never inside
// `checkServerIdentity`, which Node skips for untrusted chains and resumed sessions.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { InvalidInputError, NetworkError } from '../errors.js';
import { type ChainCertificate, describeChain } from './pin.js';

export const DEFAULT_TLS_TIMEOUT_MS = 10_000;

export interface TlsEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface TlsTarget extends TlsEndpoint {
  /** The SNI name and the name the certificate must match; defaults to `host` unless it is an IP. */
  readonly servername?: string;
  /** Extra trusted roots (PEM), added to Node's default roots. */
  readonly ca?: ReadonlyArray<string | Buffer>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface NegotiatedCipher {
  readonly name: string;
  readonly standardName: string;
  readonly version: string;
}

export interface LiveChain {
  readonly host: string;
  readonly port: number;
  /** The name sent as SNI and checked against the certificate (the host when none was given). */
  readonly servername: string | null;
  readonly checkedName: string;
  readonly protocol: string;
  readonly cipher: NegotiatedCipher;
  /** Key exchange group for TLS 1.2 and earlier, e.g. `ECDH X25519`; null when Node cannot tell. */
  readonly ephemeralKey: string | null;
  /** The chain verifies against the trusted roots. */
  readonly trusted: boolean;
  /** OpenSSL's reason when it does not, e.g. `CERT_HAS_EXPIRED`. */
  readonly trustError: string | null;
  /** Why the leaf does not match `checkedName`; null when it matches. */
  readonly hostnameError: string | null;
  /** The names the leaf is valid for, as the user would list them (`DNS:a, IP:127.0.0.1`). */
  readonly validFor: string;
  /** Leaf first, then what the server sent and Node completed from the trusted roots. */
  readonly certificates: ReadonlyArray<ChainCertificate>;
}

/** `HOST:PORT`, `[V6]:PORT`; the port is required. */
export function parseEndpoint(text: string): TlsEndpoint {
  const input = text.trim().replace(/^(?:tls|https):\/\//i, '').replace(/\/.*$/, '');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(input) ?? /^([^:[\]]+):(\d+)$/.exec(input);
  if (!m) throw new InvalidInputError(`endpoint ${JSON.stringify(text)} must be HOST:PORT (e.g. broker.example.com:8883 or [::1]:443)`);
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidInputError(`endpoint ${JSON.stringify(text)}: port must be 1-65535`);
  return { host: m[1]!, port };
}

function where(target: TlsEndpoint): string {
  return isIP(target.host) === 6 ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Turns a socket error into a message that says what to check. */
function networkError(target: TlsEndpoint, error: NodeJS.ErrnoException): NetworkError {
  const at = where(target);
  switch (error.code) {
    case 'ECONNREFUSED':
      return new NetworkError(`connection to ${at} refused: nothing listens there (check the address and port)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NetworkError(`host name ${JSON.stringify(target.host)} not found (check the spelling and DNS)`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new NetworkError(`no route to ${at} (check the address, VPN and firewall)`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new TlsVersionRefusedError(`${at} closed the connection during the TLS handshake (is it a TLS port? does it need a client certificate?)`);
    default:
      break;
  }
  const message = error.message ?? String(error);
  if (/wrong version number|packet length too long|unknown protocol|record layer failure|http request/i.test(message)) {
    return new NetworkError(`${at} does not speak TLS (it answered something else): wrong port, or a plaintext service`);
  }
  if (/disconnected before secure TLS connection/i.test(message)) {
    return new NetworkError(`${at} closed the connection before the TLS handshake finished (is it a TLS port?)`);
  }
  if (/unsupported protocol|protocol version|no protocols available|sslv3 alert handshake failure|no shared cipher|no cipher|insufficient security|legacy sigalg|unsafe legacy renegotiation/i.test(message)) {
    return new TlsVersionRefusedError(`${at} refused every TLS version and cipher offered: ${message}`);
  }
  return new NetworkError(`TLS connection to ${at} failed: ${message}`);
}

/** The server answered TLS but agreed on no version or cipher: a handshake at a lower security level may still complete. */
export class TlsVersionRefusedError extends NetworkError {
  readonly reason = 'no-common-version';
}

/**
 * What Node's OpenSSL offers only when asked: TLS 1.0 and 1.1, SHA-1 handshake signatures, small
 * keys and CBC/RSA ciphers (security level 0). For looking at a server, never for trusting it.
 */
export const LEGACY_CLIENT_OPTIONS: Readonly<tls.ConnectionOptions> = { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' };

export interface RawConnection {
  readonly socket: tls.TLSSocket;
  readonly servername: string | null;
  readonly checkedName: string;
}

/**
 * Opens a TLS connection and resolves once the handshake is done (the caller ends the socket).
 * One timer covers TCP connect and handshake.
 */
export function connectTls(target: TlsTarget, extra: tls.ConnectionOptions = {}): Promise<RawConnection> {
  const timeoutMs = target.timeoutMs ?? DEFAULT_TLS_TIMEOUT_MS;
  // Node refuses an IP address as SNI; an IP host is checked against the certificate's IP SANs.
  const servername = target.servername ?? (isIP(target.host) ? null : target.host);
  const checkedName = servername ?? target.host;
  return new Promise<RawConnection>((resolve, reject) => {
    let settled = false;
    const options: tls.ConnectionOptions = {
      host: target.host,
      port: target.port,
      rejectUnauthorized: false,
      // Node folds a hostname mismatch into `authorizationError`; the hostname is checked
      // separately below, so that `trusted` says only whether the chain verifies.
      checkServerIdentity: () => undefined,
      // No `session`: every probe makes a full handshake, so that the chain is really sent.
      ...(servername ? { servername } : {}),
      ...(target.ca && target.ca.length > 0 ? { ca: [...tls.rootCertificates, ...target.ca.map((c) => c.toString())] } : {}),
      ...extra,
    };
    let socket: tls.TLSSocket;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      target.signal?.removeEventListener('abort', onAbort);
      if (error) {
        socket?.destroy();
        reject(error);
      } else {
        resolve({ socket, servername, checkedName });
      }
    };
    const onAbort = () => finish(new NetworkError(`TLS connection to ${where(target)} cancelled`));
    const timer = setTimeout(
      () => finish(new NetworkError(`no TLS handshake from ${where(target)} within ${seconds(timeoutMs)} (the port is filtered, or the service never answers)`)),
      timeoutMs,
    );
    if (target.signal?.aborted) {
      clearTimeout(timer);
      reject(new NetworkError(`TLS connection to ${where(target)} cancelled`));
      return;
    }
    target.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      socket = tls.connect(options, () => finish(null));
    } catch (error) {
      finish(new InvalidInputError(`cannot connect to ${where(target)}: ${(error as Error).message}`));
      return;
    }
    socket.on('error', (error: NodeJS.ErrnoException) => finish(networkError(target, error)));
    socket.on('close', () => finish(new NetworkError(`${where(target)} closed the connection before the TLS handshake finished (is it a TLS port?)`)));
  });
}

/**
 * Leaf first; follows `issuerCertificate` until a self-issued certificate or a repeat.
 * The detailed certificate is read before `getPeerX509Certificate()`: in Node 20, once the latter
 * has been called, `getPeerCertificate()` on the same socket returns an empty object.
 */
export function peerChain(socket: tls.TLSSocket): { chain: X509Certificate[]; detailed: tls.DetailedPeerCertificate | null } {
  const detailed = socket.getPeerCertificate(true);
  if (!detailed || !detailed.raw) return { chain: [], detailed: null };
  const leaf = socket.getPeerX509Certificate() ?? new X509Certificate(detailed.raw);
  const chain = [leaf];
  const seen = new Set([leaf.fingerprint256]);
  let current: tls.DetailedPeerCertificate = detailed;
  while (current.issuerCertificate && current.issuerCertificate !== current) {
    const last = chain[chain.length - 1]!;
    if (last.subject === last.issuer) break;
    const next = new X509Certificate(current.issuerCertificate.raw);
    if (seen.has(next.fingerprint256)) break;
    seen.add(next.fingerprint256);
    chain.push(next);
    current = current.issuerCertificate;
  }
  return { chain, detailed };
}

/** The names a certificate is valid for, as the user would list them. */
function namesOf(certificate: tls.PeerCertificate): string {
  if (certificate.subjectaltname) return certificate.subjectaltname.replace(/IP Address:/g, 'IP:');
  const cn = certificate.subject?.CN;
  return cn ? `CN=${Array.isArray(cn) ? cn.join(', CN=') : cn}` : 'no name at all';
}

function describeConnection(target: TlsTarget, connection: RawConnection): LiveChain {
  const { socket } = connection;
  const { chain: certificates, detailed } = peerChain(socket);
  if (!detailed || certificates.length === 0) throw new NetworkError(`${where(target)} completed the handshake without a certificate`);
  const cipher = socket.getCipher();
  const ephemeral = socket.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
  const identityError = tls.checkServerIdentity(connection.checkedName, detailed);
  return {
    host: target.host,
    port: target.port,
    servername: connection.servername,
    checkedName: connection.checkedName,
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: { name: cipher.name, standardName: cipher.standardName, version: cipher.version },
    ephemeralKey: ephemeral && ephemeral.type ? [ephemeral.type, ephemeral.name, ephemeral.size ? `${ephemeral.size} bits` : ''].filter(Boolean).join(' ') : null,
    trusted: socket.authorized,
    trustError: socket.authorized ? null : String(socket.authorizationError ?? 'unknown'),
    hostnameError: identityError ? `it is valid for ${namesOf(detailed)} only` : null,
    validFor: namesOf(detailed),
    certificates: describeChain(certificates),
  };
}

/** Connects, reads the chain and what was negotiated, and closes. */
export async function fetchChain(target: TlsTarget, extra: tls.ConnectionOptions = {}): Promise<LiveChain> {
  const connection = await connectTls(target, extra);
  try {
    return describeConnection(target, connection);
  } finally {
    connection.socket.destroy();
  }
}

/**
 * The chain over TLS 1.2/1.3 as any client would see it; when the server refuses both, once more
 * at security level 0 with TLS 1.0 and 1.1 allowed, so that a legacy-only server gets a report.
 * A server that completes no handshake at all stays a network error (the first one's words).
 */
export async function fetchReportedChain(target: TlsTarget): Promise<{ chain: LiveChain; legacyOnly: boolean }> {
  try {
    return { chain: await fetchChain(target), legacyOnly: false };
  } catch (error) {
    if (!(error instanceof TlsVersionRefusedError)) throw error;
    try {
      return { chain: await fetchChain(target, LEGACY_CLIENT_OPTIONS), legacyOnly: true };
    } catch {
      throw error;
    }
  }
}
