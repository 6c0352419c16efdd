// The QR payload of ARCHITECTURE.md section 4: a public zcert body without comments. Making
// one takes no secret, and reading one refuses a payload that holds a secret.
import { parsePublicKey, type PublicKey } from '../../curve/keys.js';
import { InvalidInputError } from '../../errors.js';
import { parseCertFile } from '../cert-file.js';
import { writeZpl, type ZplNode } from '../zpl.js';

export interface QrPayloadInput {
  readonly name: string;
  readonly endpoint?: string | null;
  readonly publicKey: PublicKey;
}

export interface QrPayloadContent {
  readonly publicKey: PublicKey;
  readonly name: string | null;
  readonly endpoint: string | null;
}

/** The QR text of a public key: its zcert body without comments, `\n` line ends. Takes no secret. */
export function qrPayload(input: QrPayloadInput): string {
  const publicKey = parsePublicKey(input.publicKey);
  const metadata: ZplNode[] = [];
  if (input.name !== '') metadata.push({ name: 'name', value: input.name, children: [] });
  if (input.endpoint) metadata.push({ name: 'endpoint', value: input.endpoint, children: [] });
  return writeZpl(
    [
      { name: 'metadata', value: null, children: metadata },
      { name: 'curve', value: null, children: [{ name: 'public-key', value: publicKey, children: [] }] },
    ],
    { quoting: 'always' },
  );
}

const SECRET_LINE = /^[ \t]*secret-key\b/m;

/** QR codes people scan by mistake, named in plain words instead of a parser's complaint. */
const OTHER_QR_KINDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^WIFI:/i, 'a Wi-Fi code'],
  [/^BEGIN:VCARD/i, 'a contact card'],
  [/^(?:https?:\/\/|www\.)/i, 'a web address'],
];
const BARE_KEY = /^\S{40}$/;

/** Reads a QR payload, any public zcert/pyzmq body, or a bare 40-character Z85 public key. */
export function parseQrPayload(text: string, source: string): QrPayloadContent {
  // Checked before parsing, so that even a malformed payload holding a secret is named for what it is.
  if (SECRET_LINE.test(text)) {
    throw new InvalidInputError(`${source} holds a secret key; a QR code must never carry a secret key. Treat that key as exposed and generate a new one`);
  }
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  const other = OTHER_QR_KINDS.find(([pattern]) => pattern.test(trimmed));
  if (other) throw new InvalidInputError(`${source} is ${other[1]}, not a ZeroMQ key`);
  if (BARE_KEY.test(trimmed)) {
    return { publicKey: parsePublicKey(trimmed, `public key in ${source}`), name: null, endpoint: null };
  }
  const cert = parseCertFile(text, source);
  if (cert.secretKey !== null) {
    throw new InvalidInputError(`${source} holds a secret key; a QR code must never carry a secret key`);
  }
  const name = cert.metadata.name?.trim() ? cert.metadata.name : null;
  const endpoint = cert.metadata.endpoint?.trim() ? cert.metadata.endpoint : null;
  return { publicKey: cert.publicKey, name, endpoint };
}

/** Every QR renderer calls this first: a QR code never carries a secret key. */
export function assertNoSecret(payload: string): void {
  if (SECRET_LINE.test(payload)) throw new InvalidInputError('a QR code must never carry a secret key; this payload holds one');
}
