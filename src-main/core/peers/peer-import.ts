// Taking peers in: a zcert or pyzmq public file, a folder of them (a zcertstore), a QR image, or
// a CSV inventory. Everything is read and checked first; then all of it is added, or nothing.
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { InvalidInputError } from '../errors.js';
import { isDirectory, readInputFile } from '../files.js';
import { parseCertFile } from '../formats/cert-file.js';
import { readCsvCell } from '../formats/csv-cell.js';
import { decodeQrImage } from '../formats/qr/decode.js';
import { parseQrPayload } from '../formats/qr/payload.js';
import type { Workspace } from '../workspace.js';
import { type AddedPeers, type NewPeer, addPeers } from './peers.js';

const MAX_TEXT_BYTES = 1024 * 1024;
const MAX_IMAGE_BYTES = 30 * 1024 * 1024;
const MAX_FOLDER_FILES = 10_000;

export interface PeerImportOptions {
  /** A name for a single key whose file or QR code names none. */
  readonly name?: string | null;
  readonly allowed?: boolean;
}

function isImage(bytes: Uint8Array): boolean {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  return png || jpeg;
}

function baseName(path: string): string {
  return basename(path).replace(/\.(cert|key|txt|zpl)$/, '');
}

function fromCertText(text: string, source: string, options: PeerImportOptions): NewPeer {
  const cert = parseCertFile(text, source);
  if (cert.secretKey) {
    throw new InvalidInputError(
      `${source} holds a secret key: a peer's secret must never leave its owner. Import its public file, or import it as an own identity (a key) instead`,
    );
  }
  return {
    name: options.name ?? cert.metadata.name ?? baseName(source),
    publicKey: cert.publicKey,
    endpoints: cert.metadata.endpoint ? [cert.metadata.endpoint] : [],
    allowed: options.allowed,
    source: basename(source),
  };
}

function fromQr(bytes: Uint8Array, source: string, options: PeerImportOptions): NewPeer {
  const payload = parseQrPayload(decodeQrImage(bytes, source), source);
  const name = options.name ?? payload.name;
  if (!name) throw new InvalidInputError(`the QR code in ${source} holds a bare key without a name; give one with --name`);
  return { name, publicKey: payload.publicKey, endpoints: payload.endpoint ? [payload.endpoint] : [], allowed: options.allowed, source: basename(source) };
}

function fromCsv(text: string, source: string, options: PeerImportOptions): NewPeer[] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw new InvalidInputError(`${source} is not valid CSV: ${(error as Error).message}`);
  }
  return rows.map((raw, index) => {
    const line = index + 2;
    // A cell Curvekeep escaped for spreadsheets (formats/csv-cell.ts) is read back as it was.
    const row = Object.fromEntries(Object.entries(raw).map(([column, value]) => [column, readCsvCell(value ?? '')])) as Record<string, string>;
    const key = row.public_key ?? row.publickey ?? row.key;
    if (!row.name) throw new InvalidInputError(`${source} row ${line}: the name column is empty or missing`);
    if (!key) throw new InvalidInputError(`${source} row ${line}: the public_key column is empty or missing`);
    const tags = (row.tags ?? '').split(/[;\s]+/).filter(Boolean);
    return { name: row.name, publicKey: key, endpoints: row.endpoint ? [row.endpoint] : [], tags, allowed: options.allowed, source: `${basename(source)}:${line}` };
  });
}

async function readPeersFromFile(path: string, options: PeerImportOptions): Promise<NewPeer[]> {
  const bytes = await readInputFile(path, MAX_IMAGE_BYTES);
  if (isImage(bytes)) return [fromQr(bytes, path, options)];
  if (bytes.length > MAX_TEXT_BYTES) throw new InvalidInputError(`${path} is too large for a key file (${bytes.length} bytes)`);
  const text = bytes.toString('utf8');
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0]!.toLowerCase();
  if (extname(path).toLowerCase() === '.csv' || (firstLine.includes(',') && firstLine.includes('name'))) return fromCsv(text, path, options);
  return [fromCertText(text, path, options)];
}

/** A zcertstore folder: every public certificate file; `_secret` files are left alone, as zcertstore does. */
async function readPeersFromFolder(dir: string, options: PeerImportOptions): Promise<NewPeer[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && !entry.name.endsWith('_secret'))
    .map((entry) => entry.name)
    .sort();
  if (names.length > MAX_FOLDER_FILES) throw new InvalidInputError(`${dir} holds more than ${MAX_FOLDER_FILES} files`);
  const peers: NewPeer[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const text = (await readInputFile(path, MAX_TEXT_BYTES)).toString('utf8');
    peers.push(fromCertText(text, path, { ...options, name: null }));
  }
  if (peers.length === 0) throw new InvalidInputError(`${dir} holds no public certificate files`);
  return peers;
}

export async function readPeers(path: string, options: PeerImportOptions = {}): Promise<NewPeer[]> {
  return (await isDirectory(path)) ? readPeersFromFolder(path, options) : readPeersFromFile(path, options);
}

export async function importPeers(ws: Workspace, path: string, options: PeerImportOptions = {}): Promise<AddedPeers> {
  return addPeers(ws, await readPeers(path, options));
}
