// Handing an identity out (public material by default; the secret only when asked, 0600) and
// taking a key pair in from a file written by CZMQ, pyzmq or Curvekeep.
import { basename, join } from 'node:path';
import { carriesSecret, EXPORT_FORMATS, type ExportFormat, isExportFormat } from '../../common/formats.js';
import { type PublicKey, type SecretKey, assertKeyPairMatches } from '../curve/keys.js';

import { InvalidInputError, RefusedError } from '../errors.js';
import { isDirectory, writeFileAtomic } from '../files.js';
import { type CertFlavour, certFileNames, formatCertFile, parseCertFile } from '../formats/cert-file.js';
import { formatKeyJson, parseKeyJson } from '../formats/key-json.js';
import { qrPayload } from '../formats/qr/payload.js';
import { renderQrPng, renderQrSvg, renderQrTerminal } from '../formats/qr/render.js';
import type { Role } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { adoptIdentity, findIdentity, identityKeyPair } from './identities.js';
import { identityView, type IdentityView } from './identity-view.js';

export type { ExportFormat } from '../../common/formats.js';

export interface ExportRequest {
  readonly format: ExportFormat;
  /** Include the secret key: zcert, pyzmq and json only, and only into a file. */
  readonly secret?: boolean;
  /** A file path, or a folder to write the format's default file names into. */
  readonly out?: string | null;
  readonly overwrite?: boolean;
}

export interface ExportResult {
  readonly format: ExportFormat;
  readonly files: ReadonlyArray<string>;
  readonly secretIncluded: boolean;
  /** The exported text when no file was asked for (never holds a secret). */
  readonly content: string | null;
}

function isCertFormat(format: ExportFormat): format is CertFlavour {
  return format === 'zcert' || format === 'pyzmq';
}

function defaultFileName(name: string, format: ExportFormat): string {
  if (isCertFormat(format)) return certFileNames(name, format).publicFile;
  return { json: `${name}.json`, 'qr-png': `${name}.png`, 'qr-svg': `${name}.svg`, 'qr-text': `${name}.txt` }[format];
}

/**
 * The public file of a certificate pair named by `path`: `server.key_secret` -> `server.key`,
 * `server.cert_secret` -> `server.cert`, `server_secret` -> `server`; any other path is the public
 * file itself (its secret goes beside it at PATH_secret).
 */
export function certPairPublicPath(path: string): string {
  const base = basename(path);
  return base.endsWith('_secret') && base.length > '_secret'.length ? path.slice(0, -'_secret'.length) : path;
}

export async function exportIdentity(ws: Workspace, ref: string, request: ExportRequest): Promise<ExportResult> {
  const { format } = request;
  const secret = Boolean(request.secret);
  if (!isExportFormat(format)) {
    throw new InvalidInputError(`unknown export format ${JSON.stringify(format)}; use one of ${EXPORT_FORMATS.join(', ')}`);
  }
  if (secret && !carriesSecret(format)) throw new RefusedError('a QR code never carries a secret key; export the secret as zcert, pyzmq or json');
  if (secret && !request.out) throw new RefusedError('a secret export goes to a file: give --out PATH (it is written with mode 0600)');
  if (format === 'qr-png' && !request.out) throw new InvalidInputError('a PNG goes to a file: give --out PATH');

  const { data } = await ws.store.read();
  const identity = identityView(findIdentity(data.identities, ref), ws.now());
  const secretKey = secret ? (await identityKeyPair(ws, identity.id, 'current')).secretKey : null;
  const metadata = { name: identity.name, ...(identity.endpoints[0] ? { endpoint: identity.endpoints[0] } : {}) };
  const cert = { publicKey: identity.publicKey, secretKey, metadata };

  let outPath: string | null = null;
  if (request.out) outPath = (await isDirectory(request.out)) ? join(request.out, defaultFileName(identity.name, format)) : request.out;
  const write = { mode: 0o644, overwrite: Boolean(request.overwrite) };
  const files: string[] = [];

  if (isCertFormat(format)) {
    const publicText = formatCertFile(cert, format, { secret: false, now: ws.now() });
    if (!outPath) return { format, files, secretIncluded: false, content: publicText };
    // As zcert_save does (and pyzmq's NAME.key / NAME.key_secret): the public file at PATH and the
    // secret beside it at PATH_secret; a PATH naming the secret file gives the pair it belongs to.
    outPath = certPairPublicPath(outPath);
    await writeFileAtomic(outPath, publicText, write);
    files.push(outPath);
    if (secretKey) {
      const secretPath = `${outPath}_secret`;
      await writeFileAtomic(secretPath, formatCertFile(cert, format, { secret: true, now: ws.now() }), { ...write, mode: 0o600 });
      files.push(secretPath);
    }
  } else if (format === 'json') {
    const text = formatKeyJson({ name: identity.name, role: identity.role, publicKey: identity.publicKey, safetyCode: identity.safetyCode, endpoints: identity.endpoints, ...(secretKey ? { secretKey } : {}) });
    if (!outPath) return { format, files, secretIncluded: false, content: text };
    await writeFileAtomic(outPath, text, secretKey ? { ...write, mode: 0o600 } : write);
    files.push(outPath);
  } else {
    const payload = qrPayload({ name: identity.name, endpoint: identity.endpoints[0] ?? null, publicKey: identity.publicKey });
    const content = format === 'qr-png' ? await renderQrPng(payload) : format === 'qr-svg' ? await renderQrSvg(payload) : await renderQrTerminal(payload);
    if (!outPath) return { format, files, secretIncluded: false, content: content as string };
    await writeFileAtomic(outPath, content, write);
    files.push(outPath);
  }
  if (secretKey) {
    await ws.store.update((tx) => {
      tx.audit({ action: 'identity.secret-exported', subject: identity.name, details: { id: identity.id, format, file: basename(files.at(-1)!) } });
    });
  }
  return { format, files, secretIncluded: secretKey !== null, content: null };
}

export interface ImportRequest {
  readonly text: string;
  /** The file name (or "stdin") for messages. */
  readonly source: string;
  readonly name?: string | null;
  readonly role?: Role;
  readonly rotateEveryDays?: number | null;
}

function nameFromSource(source: string): string | null {
  const file = basename(source).replace(/(\.cert_secret|\.key_secret|_secret|\.json)$/, '').replace(/\.(cert|key)$/, '');
  return file && file !== 'stdin' && /^[A-Za-z0-9]/.test(file) ? file : null;
}

/** A file holding a secret becomes an identity; its secret moves into the keychain. */
export async function importIdentity(ws: Workspace, request: ImportRequest): Promise<IdentityView> {
  const trimmed = request.text.trimStart();
  let publicKey: PublicKey;
  let secretKey: SecretKey | null;
  let metaName: string | null;
  let endpoint: string | null;
  if (trimmed.startsWith('{')) {
    const parsed = parseKeyJson(request.text, request.source);
    publicKey = parsed.publicKey;
    secretKey = parsed.secretKey ?? null;
    metaName = parsed.name ?? null;
    endpoint = parsed.endpoints?.[0] ?? null;
  } else {
    const parsed = parseCertFile(request.text, request.source);
    publicKey = parsed.publicKey;
    secretKey = parsed.secretKey;
    metaName = parsed.metadata.name ?? null;
    endpoint = parsed.metadata.endpoint ?? null;
  }
  if (!secretKey) {
    throw new InvalidInputError(
      `${request.source} holds no secret key, so it cannot become an identity; a public key belongs to a peer: import it as a peer`,
    );
  }
  assertKeyPairMatches(publicKey, secretKey);
  const name = request.name ?? metaName ?? nameFromSource(request.source);
  if (!name) throw new InvalidInputError(`${request.source} names no identity; give one with --name`);
  return adoptIdentity(
    ws,
    { name, role: request.role ?? 'client', rotateEveryDays: request.rotateEveryDays, endpoints: endpoint ? [endpoint] : [] },
    { publicKey, secretKey },
    request.source,
  );
}


