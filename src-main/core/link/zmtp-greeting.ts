// The ZMTP greeting (ZeroMQ RFC 23 / 37): what a peer says first, before any handshake. Reading
// it tells which security mechanism a port speaks without completing (or logging) a handshake.
//
//   bytes 0..9    signature: 0xFF, 8 bytes of padding, 0x7F (libzmq only checks bit 0 of byte 9)
//   byte  10      major version (3 for ZMTP 3.x; 1 is the ZMTP 2.0 revision byte)
//   byte  11      minor version (ZMTP 2.0: the socket type)
//   bytes 12..31  mechanism name, ASCII, padded with zero bytes
//   byte  32      as-server (0 or 1; libzmq always sends 0, so it tells nothing about a libzmq peer)
//   bytes 33..63  filler

export const GREETING_LENGTH = 64;
/** ZMTP 2.0 (libzmq 3.x) greets with the signature, a revision byte and a socket type byte. */
export const LEGACY_GREETING_LENGTH = 12;

/**
 * What we send: the signature and our major version only. libzmq sends the rest of its greeting
 * once it has read ours up to the major version; stopping there means the peer never sees a
 * mechanism from us, so no handshake starts and nothing is authenticated or refused.
 */
export const GREETING_PREFIX: Uint8Array = Uint8Array.from([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3]);

export type Mechanism = 'NULL' | 'PLAIN' | 'CURVE' | (string & {});

export interface ZmtpGreeting {
  readonly status: 'zmtp';
  /** `major.minor`, e.g. `3.1`. */
  readonly version: string;
  readonly mechanism: Mechanism;
  readonly asServer: boolean;
}

export interface NotZmtp {
  readonly status: 'not-zmtp';
  /** Why the bytes are not a ZMTP 3 greeting, in words. */
  readonly reason: string;
}

export interface NeedMoreBytes {
  readonly status: 'need-more';
  /** How many bytes in total the parser needs before it can decide. */
  readonly needed: number;
}

export type GreetingParse = ZmtpGreeting | NotZmtp | NeedMoreBytes;

const MECHANISM_START = 12;
const MECHANISM_END = 32;
const MECHANISM_CHAR = /^[A-Z0-9\-_.+]$/;

/**
 * Decides from the first bytes a peer sent whether it speaks ZMTP 3 and with which mechanism.
 * Pure and total: any input gives a result, never an exception, and it reads at most 64 bytes.
 * Feed it the bytes received so far; `need-more` says how many it needs in total.
 */
export function parseGreeting(bytes: Uint8Array): GreetingParse {
  if (bytes.length === 0) return { status: 'need-more', needed: 1 };
  if (bytes[0] !== 0xff) {
    return { status: 'not-zmtp', reason: `the first byte is 0x${hex(bytes[0]!)}, not the ZMTP signature 0xFF` };
  }
  if (bytes.length < 10) return { status: 'need-more', needed: 10 };
  if ((bytes[9]! & 0x01) === 0) {
    return { status: 'not-zmtp', reason: 'the signature does not end in 0x7F (ZMTP 1.0 or not ZMTP)' };
  }
  if (bytes.length < 11) return { status: 'need-more', needed: 11 };
  const major = bytes[10]!;
  if (major === 0x01) {
    // ZMTP 2.0 has no security mechanism at all: everything travels in clear.
    if (bytes.length < LEGACY_GREETING_LENGTH) return { status: 'need-more', needed: LEGACY_GREETING_LENGTH };
    return { status: 'zmtp', version: '2.0', mechanism: 'NULL', asServer: false };
  }
  if (major < 3) return { status: 'not-zmtp', reason: `unknown ZMTP revision ${major}` };
  if (bytes.length < GREETING_LENGTH) return { status: 'need-more', needed: GREETING_LENGTH };

  const minor = bytes[11]!;
  let mechanism = '';
  let ended = false;
  for (let i = MECHANISM_START; i < MECHANISM_END; i++) {
    const byte = bytes[i]!;
    if (byte === 0) {
      ended = true;
      continue;
    }
    const char = String.fromCharCode(byte);
    if (ended || !MECHANISM_CHAR.test(char)) {
      return { status: 'not-zmtp', reason: `the mechanism field holds byte 0x${hex(byte)} at offset ${i}` };
    }
    mechanism += char;
  }
  if (mechanism === '') return { status: 'not-zmtp', reason: 'the mechanism field is empty' };
  const asServer = bytes[32]!;
  if (asServer > 1) return { status: 'not-zmtp', reason: `the as-server byte is 0x${hex(asServer)}, not 0 or 1` };
  return { status: 'zmtp', version: `${major}.${minor}`, mechanism, asServer: asServer === 1 };
}

/** A short printable view of bytes a peer sent, for a `not-zmtp` detail (never more than 24 bytes). */
export function describeBytes(bytes: Uint8Array): string {
  const shown = bytes.subarray(0, 24);
  const printable = shown.every((b) => b === 0x0a || b === 0x0d || b === 0x09 || (b >= 0x20 && b < 0x7f));
  const text = printable
    ? JSON.stringify(Buffer.from(shown).toString('latin1'))
    : Array.from(shown, hex).join(' ');
  return bytes.length > shown.length ? `${text} ...` : text;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0').toUpperCase();
}
