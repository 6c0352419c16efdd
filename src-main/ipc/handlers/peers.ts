// Handlers of the peers area: thin calls into the peer service. Key files from the dialog and
// from an upload take the same road, importPeers over a path; an upload is written to a private
// temporary folder first and removed afterwards, whatever happens.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';
import { InvalidInputError, RefusedError, isCurvekeepError } from '../../core/errors.js';
import { parseQrPayload } from '../../core/formats/qr/payload.js';
import { importPeers } from '../../core/peers/peer-import.js';
import { addPeer, removePeer, setPeerAllowed, verifyPeer } from '../../core/peers/peers.js';
import { addPeersChecked, duplicateKeyWarnings, listPeerRows, previewPeerKey, replacePeerKey, showPeerDetail } from '../../core/usecases/peers.js';
import { MAX_PEER_UPLOAD_BYTES, type peersChannels } from '../channels/peers.js';
import type { AreaHandlers } from './context.js';

/** A file name safe to create: the base name, unusual characters replaced, no leading dot. */
export function uploadFileName(given: string): string {
  const base = basename(given.replace(/\\/g, '/')).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 120);
  return base === '' ? 'upload' : base;
}

function importOptions(args: Readonly<{ name?: string | undefined; allowed?: boolean | undefined }>) {
  return { ...(args.name ? { name: args.name } : {}), allowed: Boolean(args.allowed) };
}

async function importUploaded(fileName: string, bytes: Buffer, run: (path: string) => Promise<unknown>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'curvekeep-upload-'));
  try {
    const path = join(dir, uploadFileName(fileName));
    await writeFile(path, bytes, { mode: 0o600, flag: 'wx' });
    await run(path);
  } catch (error) {
    // Messages name the file; the temporary folder means nothing to the user.
    if (isCurvekeepError(error)) error.message = error.message.split(`${dir}${sep}`).join('');
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const peersHandlers: AreaHandlers<typeof peersChannels> = {
  'peers.list': (args, context) =>
    listPeerRows(context.workspace(), {
      text: args.text ?? null,
      tag: args.tag ?? null,
      allowed: args.allowed ?? null,
      verification: args.verification ?? null,
      verdict: args.verdict ?? null,
      offset: args.offset ?? 0,
      limit: args.limit ?? null,
    }),

  'peers.show': (args, context) => showPeerDetail(context.workspace(), args.ref),

  'peers.keyPreview': (args, context) => previewPeerKey(context.workspace(), args.ref, args.key),

  'peers.replaceKey': (args, context) => replacePeerKey(context.workspace(), args.ref, args.key),

  'peers.add': async (args, context) => {
    const peer = await addPeer(context.workspace(), {
      name: args.name,
      publicKey: args.publicKey,
      endpoints: args.endpoints ?? [],
      tags: args.tags ?? [],
      allowed: Boolean(args.allowed),
      source: 'pasted',
    });
    const [warning] = await duplicateKeyWarnings(context.workspace(), [peer]);
    return { ...peer, sameKeyAs: warning?.sameKeyAs ?? [] };
  },

  'peers.importDialog': async (args, context) => {
    if (!context.chooseImportFile) throw new RefusedError('there is no file dialog here; pick the file in the page to upload it');
    const path = await context.chooseImportFile({ title: 'Import peer keys' });
    if (path === null) return { cancelled: true, added: [], unchanged: [], duplicates: [] };
    const imported = await importPeers(context.workspace(), path, importOptions(args));
    return { cancelled: false, ...imported, duplicates: await duplicateKeyWarnings(context.workspace(), imported.added) };
  },

  'peers.importUpload': async (args, context) => {
    const bytes = Buffer.from(args.contentBase64, 'base64');
    if (bytes.length === 0) throw new InvalidInputError(`${args.fileName} is empty`);
    if (bytes.length > MAX_PEER_UPLOAD_BYTES) throw new InvalidInputError(`${args.fileName} is too large (at most ${MAX_PEER_UPLOAD_BYTES} bytes)`);
    let imported: Awaited<ReturnType<typeof importPeers>> = { added: [], unchanged: [] };
    await importUploaded(args.fileName, bytes, async (path) => {
      imported = await importPeers(context.workspace(), path, importOptions(args));
    });
    return { cancelled: false, ...imported, duplicates: await duplicateKeyWarnings(context.workspace(), imported.added) };
  },

  'peers.importQrText': async (args, context) => {
    const source = args.source ? uploadFileName(args.source) : 'QR code';
    // In messages: "the scanned QR code is a Wi-Fi code, not a ZeroMQ key", not "camera is ...".
    const payload = parseQrPayload(args.text, source === 'camera' ? 'the scanned QR code' : source);
    const name = args.name ?? payload.name;
    if (!name) throw new InvalidInputError(`${source} holds a bare key without a name; type a name for this peer`);
    const result = await addPeersChecked(context.workspace(), [
      { name, publicKey: payload.publicKey, endpoints: payload.endpoint ? [payload.endpoint] : [], allowed: Boolean(args.allowed), source },
    ]);
    return { cancelled: false, ...result };
  },

  'peers.verify': (args, context) => verifyPeer(context.workspace(), args.ref, args.code, args.by || undefined),

  'peers.setAllowed': (args, context) => setPeerAllowed(context.workspace(), args.ref, args.allowed),

  'peers.remove': (args, context) => removePeer(context.workspace(), args.ref),
};
