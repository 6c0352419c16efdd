// Handlers of the key-exports area: the identity export of the core, into a folder the main
// process chose (a save dialog in the app, a fresh folder under the data folder in the bridge).
import { exportIdentity } from '../../core/identities/identity-export.js';
import { qrPayload } from '../../core/formats/qr/payload.js';
import { showIdentity } from '../../core/identities/identities.js';
import type { keyExportChannels } from '../channels/key-exports.js';
import type { AreaHandlers } from './context.js';

export const keyExportHandlers: AreaHandlers<typeof keyExportChannels> = {
  'keys.qr': async (args, context) => {
    const ws = context.workspace();
    const identity = await showIdentity(ws, args.ref);
    const svg = await exportIdentity(ws, identity.id, { format: 'qr-svg' });
    return {
      payload: qrPayload({ name: identity.name, endpoint: identity.endpoints[0] ?? null, publicKey: identity.publicKey }),
      svg: svg.content ?? '',
    };
  },

  'keys.savePublic': async (args, context) => {
    const ws = context.workspace();
    const identity = await showIdentity(ws, args.ref);
    const folder = await context.chooseExportFolder({ title: `Save the public key of ${identity.name}`, secret: false });
    if (folder === null) return { cancelled: true, files: [], secretIncluded: false };
    const result = await exportIdentity(ws, identity.id, { format: args.format, out: folder });
    return { cancelled: false, files: result.files, secretIncluded: false };
  },

  'keys.saveSecret': async (args, context) => {
    const ws = context.workspace();
    const identity = await showIdentity(ws, args.ref);
    const folder = await context.chooseExportFolder({ title: `Save the SECRET key of ${identity.name}`, secret: true });
    if (folder === null) return { cancelled: true, files: [], secretIncluded: false };
    // The core writes the secret file 0600 and records the export in the audit log.
    const result = await exportIdentity(ws, identity.id, { format: args.format, secret: true, out: folder });
    return { cancelled: false, files: result.files, secretIncluded: result.secretIncluded };
  },
};
