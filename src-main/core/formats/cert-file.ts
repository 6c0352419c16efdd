// CURVE certificate files as CZMQ (zcert_save: NAME.cert / NAME.cert_secret) and pyzmq
// (zmq.auth.create_certificates: NAME.key / NAME.key_secret) write them, read back by both.
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assertKeyPairMatches,
  parsePublicKey,
  parseSecretKey,
  type PublicKey,
  type SecretKey,
} from '../curve/keys.js';
import { InvalidInputError, InvalidKeyError, RefusedError } from '../errors.js';
import { commitTemp, pathExists, syncFolder, writeTemp } from '../files.js';
import { parseZpl, writeZpl, zplChild, type ZplNode } from './zpl.js';

export type CertFlavour = 'zcert' | 'pyzmq';

export interface CertFile {
  readonly publicKey: PublicKey;
  readonly secretKey: SecretKey | null;
  readonly metadata: Readonly<Record<string, string>>;
}

/** What a certificate file is written from: the secret is optional. */
export interface CertFileContent {
  readonly publicKey: PublicKey;
  readonly secretKey?: SecretKey | null;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface CertFormatOptions {
  /** Write the secret-key line (the `_secret` file). Without it no secret is ever written. */
  readonly secret: boolean;
  /** The time in the header comment; defaults to now. */
  readonly now?: Date;
  /**
   * The pair comes straight from generateKeyPair, so checking that the secret belongs to the
   * public key (an OpenSSL key import, about 0.8 ms) is skipped: for a fleet of thousands of
   * devices that check would be most of the run. Never set it for keys read from anywhere.
   */
  readonly freshPair?: boolean;
}

export interface CertWriteOptions {
  readonly secret: boolean;
  /** Replace existing files; without it an existing file is refused and left untouched. */
  readonly overwrite?: boolean;
  readonly now?: Date;
}

function single(section: ZplNode, name: string, source: string): ZplNode | undefined {
  const found = section.children.filter((child) => child.name === name);
  if (found.length > 1) {
    // CZMQ reads the first, pyzmq the last: two readers would disagree on the key.
    throw new InvalidInputError(`${source} has ${found.length} ${name} lines in its curve section; a certificate holds one`);
  }
  return found[0];
}

/** Reads a zcert or pyzmq certificate, public or secret, with quoted or bare values. */
export function parseCertFile(text: string, source: string): CertFile {
  const root = parseZpl(text, source);
  const curves = root.children.filter((child) => child.name === 'curve');
  if (curves.length === 0) {
    throw new InvalidInputError(
      `${source} is not a CURVE certificate: it has no "curve" section (expected a zcert .cert or pyzmq .key file)`,
    );
  }
  if (curves.length > 1) throw new InvalidInputError(`${source} has ${curves.length} "curve" sections; a certificate holds one`);
  const curve = curves[0]!;

  const publicNode = single(curve, 'public-key', source);
  if (!publicNode || publicNode.value === null || publicNode.value === '') {
    throw new InvalidInputError(`${source} has no public-key in its curve section`);
  }
  const publicKey = parsePublicKey(publicNode.value, `public key in ${source}`);

  let secretKey: SecretKey | null = null;
  const secretNode = single(curve, 'secret-key', source);
  if (secretNode) {
    if (secretNode.value === null || secretNode.value === '') {
      throw new InvalidKeyError(`${source} has a secret-key line without a value`);
    }
    secretKey = parseSecretKey(secretNode.value, `secret key in ${source}`);
    try {
      assertKeyPairMatches(publicKey, secretKey);
    } catch {
      throw new InvalidKeyError(
        `${source}: its secret key does not belong to its public key ${publicKey} (the file was edited or put together from two certificates); refusing it`,
      );
    }
  }

  const metadata: Record<string, string> = {};
  const section = zplChild(root, 'metadata');
  for (const item of section?.children ?? []) {
    // CZMQ keeps the first of two equal names (zhash_insert refuses the second).
    if (!Object.hasOwn(metadata, item.name)) metadata[item.name] = item.value ?? '';
  }
  return { publicKey, secretKey, metadata };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** zclock_timestr: local time, `YYYY-MM-DD HH:MM:SS`. */
function czmqTime(now: Date): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}

/** Python's str(datetime.now()): microseconds appear only when not zero. */
function pythonTime(now: Date): string {
  const ms = now.getMilliseconds();
  return `${czmqTime(now)}${ms === 0 ? '' : `.${pad(ms, 3)}000`}`;
}

const PUBLIC_BANNER = [
  '   ZeroMQ CURVE Public Certificate',
  '   Exchange securely, or use a secure mechanism to verify the contents',
  '   of this file after exchange. Store public certificates in your home',
  '   directory, in the .curve subdirectory.',
];
const SECRET_BANNER = [
  '   ZeroMQ CURVE **Secret** Certificate',
  '   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.',
];

/**
 * The text of a certificate file exactly as CZMQ's zcert_save or pyzmq's create_certificates
 * writes it. The pyzmq flavour also carries the metadata in the public file (pyzmq itself writes
 * it only to the secret one; its reader ignores metadata either way), so the name travels.
 */
export function formatCertFile(cert: CertFileContent, flavour: CertFlavour, options: CertFormatOptions): string {
  const publicKey = parsePublicKey(cert.publicKey);
  let secretKey: SecretKey | null = null;
  if (options.secret) {
    if (!cert.secretKey) throw new InvalidInputError('a secret certificate file needs the secret key, and none was given');
    secretKey = parseSecretKey(cert.secretKey);
    if (!options.freshPair) assertKeyPairMatches(publicKey, secretKey);
  }
  const now = options.now ?? new Date();
  const stamp = flavour === 'zcert' ? `   ****  Generated on ${czmqTime(now)} by CZMQ  ****` : `   ****  Generated on ${pythonTime(now)} by pyzmq  ****`;
  const curve: ZplNode[] = [{ name: 'public-key', value: publicKey, children: [] }];
  if (secretKey) curve.push({ name: 'secret-key', value: secretKey, children: [] });

  const metadata = writeZpl(
    [{ name: 'metadata', value: null, children: Object.entries(cert.metadata).map(([name, value]) => ({ name, value, children: [] })) }],
    { quoting: flavour === 'zcert' ? 'always' : 'when-needed' },
  );
  const keys = writeZpl([{ name: 'curve', value: null, children: curve }], { quoting: 'always' });
  const header = writeZpl([], { comments: [stamp, ...(secretKey ? SECRET_BANNER : PUBLIC_BANNER)] });
  return header + metadata + keys;
}

// Portable file names: no folder parts, nothing a shell or Windows would read specially.
// eslint-disable-next-line no-control-regex -- control characters are among the refused ones
const UNSAFE_NAME_CHAR = /[/\\\u0000-\u001F\u007F<>:"|?*]/;

/** The public and secret file names of a certificate called `name`. */
export function certFileNames(name: string, flavour: CertFlavour): { readonly publicFile: string; readonly secretFile: string } {
  if (name === '' || name.trim() !== name) {
    throw new InvalidInputError(`certificate name ${JSON.stringify(name)} is empty or starts or ends with a space`);
  }
  if (UNSAFE_NAME_CHAR.test(name) || name.includes('..') || name === '.') {
    throw new InvalidInputError(
      `certificate name ${JSON.stringify(name)} cannot be a file name: no path separators, '..', control characters or < > : " | ? *`,
    );
  }
  if (name.length > 200) throw new InvalidInputError(`certificate name is ${name.length} characters long; at most 200 fit in a file name`);
  return flavour === 'zcert'
    ? { publicFile: `${name}.cert`, secretFile: `${name}.cert_secret` }
    : { publicFile: `${name}.key`, secretFile: `${name}.key_secret` };
}

/** The `name` metadata of a certificate, if it has one. */
export function certMetadataName(cert: Pick<CertFile, 'metadata'>): string | null {
  const name = cert.metadata.name;
  return name !== undefined && name.trim() !== '' ? name : null;
}

/**
 * Writes NAME's public certificate file and, with `secret`, its secret file (mode 0600) into
 * `dir`. Each file appears whole or not at all; existing files are refused unless `overwrite`.
 */
export async function writeCertFiles(
  dir: string,
  name: string,
  cert: CertFileContent,
  flavour: CertFlavour,
  options: CertWriteOptions,
): Promise<{ publicPath: string; secretPath: string | null }> {
  const names = certFileNames(name, flavour);
  const now = options.now ?? new Date();
  const overwrite = options.overwrite === true;
  const files = [{ path: join(dir, names.publicFile), text: formatCertFile(cert, flavour, { secret: false, now }), mode: 0o644 }];
  if (options.secret) {
    files.push({ path: join(dir, names.secretFile), text: formatCertFile(cert, flavour, { secret: true, now }), mode: 0o600 });
  }

  await mkdir(dir, { recursive: true });
  if (!overwrite) {
    for (const file of files) {
      if (await pathExists(file.path)) {
        throw new RefusedError(`${file.path} exists already; nothing was written (choose another folder or name, or allow overwriting)`);
      }
    }
  }

  const temps: string[] = [];
  const committed: string[] = [];
  try {
    for (const file of files) temps.push(await writeTemp(file.path, file.text, file.mode));
    for (const [index, file] of files.entries()) {
      await commitTemp(temps[index]!, file.path, overwrite);
      committed.push(file.path);
    }
  } catch (error) {
    await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
    // Without overwrite every committed file is new: take it back so that nothing half-done stays.
    if (!overwrite) await Promise.all(committed.map((path) => unlink(path).catch(() => undefined)));
    throw error;
  }
  await syncFolder(dir);
  return { publicPath: files[0]!.path, secretPath: files[1]?.path ?? null };
}
