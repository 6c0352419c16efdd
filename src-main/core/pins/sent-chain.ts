// The certificates in the order the server sends them. Node reports a chain rebuilt by issuer
// (getPeerCertificate), so the order as sent is read from the handshake itself: over TLS 1.2 and
// earlier the Certificate message travels in clear, and a recording stream under the TLS socket
// sees it. (TLS 1.3 encrypts it; a server that speaks only TLS 1.3 gets no order verdict.)
import { X509Certificate } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { LEGACY_CLIENT_OPTIONS, type TlsTarget, connectTls } from './tls-chain.js';

const HANDSHAKE = 22;
const CHANGE_CIPHER_SPEC = 20;
const CERTIFICATE = 11;

function uint24(bytes: Buffer, at: number): number {
  return (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
}

/** The DER certificates of the first Certificate handshake message in a server's clear-text records; null when none is there. */
export function certificatesInRecords(stream: Buffer): Buffer[] | null {
  const handshake: Buffer[] = [];
  for (let at = 0; at + 5 <= stream.length; ) {
    const type = stream[at]!;
    const length = stream.readUInt16BE(at + 3);
    if (at + 5 + length > stream.length) break;
    if (type === CHANGE_CIPHER_SPEC) break;
    if (type === HANDSHAKE) handshake.push(stream.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  const messages = Buffer.concat(handshake);
  for (let at = 0; at + 4 <= messages.length; ) {
    const type = messages[at]!;
    const length = uint24(messages, at + 1);
    if (at + 4 + length > messages.length) return null;
    if (type === CERTIFICATE) {
      const body = messages.subarray(at + 4, at + 4 + length);
      const total = uint24(body, 0);
      const certificates: Buffer[] = [];
      for (let c = 3; c + 3 <= Math.min(body.length, 3 + total); ) {
        const size = uint24(body, c);
        certificates.push(body.subarray(c + 3, c + 3 + size));
        c += 3 + size;
      }
      return certificates;
    }
    at += 4 + length;
  }
  return null;
}

/** The first position whose certificate is not the issuer of the one before it; null when every one is. */
export function outOfOrderAt(sent: ReadonlyArray<X509Certificate>): number | null {
  for (let i = 1; i < sent.length; i++) {
    if (!sent[i - 1]!.checkIssued(sent[i]!)) return i;
  }
  return null;
}

/**
 * The certificates as the server sends them, read over a TLS 1.2 (or older) handshake; null when
 * the server speaks only TLS 1.3 or the connection fails (the report says nothing about order then).
 */
export async function fetchSentChain(target: TlsTarget): Promise<X509Certificate[] | null> {
  const received: Buffer[] = [];
  const raw = connectTcp({ host: target.host, port: target.port });
  const recorder = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      raw.write(chunk, done);
    },
    final(done) {
      raw.end();
      done();
    },
    destroy(error, done) {
      raw.destroy();
      done(error);
    },
  });
  raw.on('data', (data: Buffer) => {
    received.push(data);
    recorder.push(data);
  });
  raw.on('end', () => recorder.push(null));
  raw.on('error', (error) => recorder.destroy(error));
  const options: ConnectionOptions = { ...LEGACY_CLIENT_OPTIONS, maxVersion: 'TLSv1.2', socket: recorder };
  try {
    const { socket } = await connectTls(target, options);
    socket.destroy();
  } catch {
    raw.destroy();
    return null;
  }
  raw.destroy();
  const ders = certificatesInRecords(Buffer.concat(received));
  if (!ders || ders.length === 0) return null;
  try {
    return ders.map((der) => new X509Certificate(der));
  } catch {
    return null;
  }
}
