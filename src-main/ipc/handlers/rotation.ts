// Handlers of the rotation area: the rotation core (src-main/core/rotation/) as `curvekeep rotate`
// uses it. Each result is reduced to the status the wizard shows (identity, stage, next step).
import type { RotationStatus } from '../../core/rotation/rotation.js';
import type { rotationChannels } from '../channels/rotation.js';
import type { AreaHandlers } from './context.js';
import { chooseFolder, folderOf } from './folder-handles.js';
import { publicResult } from './links.js';
import { DAY_MS } from '../../common/time.js';


function publicStatus(status: RotationStatus) {
  return { identity: status.identity, stage: status.stage, next: status.next };
}

const DISTRIBUTE_FOLDER = { title: 'Choose the folder for the public certificates of the rotation', secret: false } as const;

export const rotationHandlers: AreaHandlers<typeof rotationChannels> = {
  'rotation.chooseFolder': async (_args, context) => ({ folder: await chooseFolder(context, DISTRIBUTE_FOLDER) }),

  'rotation.status': async (args, context) => {
    const { rotationStatus } = await import('../../core/rotation/rotation.js');
    return publicStatus(await rotationStatus(context.workspace(), args.ref));
  },

  'rotation.stage': async (args, context) => {
    const { stageRotation } = await import('../../core/rotation/rotation.js');
    const staged = await stageRotation(context.workspace(), args.ref);
    return { ...publicStatus(staged), generation: staged.generation, publicKey: staged.publicKey };
  },

  'rotation.distribute': async (args, context) => {
    const [{ distributeRotation }, { qrPayload }, { renderQrSvg }, { findIdentity }] = await Promise.all([
      import('../../core/rotation/distribute.js'),
      import('../../core/formats/qr/payload.js'),
      import('../../core/formats/qr/render.js'),
      import('../../core/identities/identities.js'),
    ]);
    const ws = context.workspace();
    // The page names a folder only by the handle it was given; without one, the main process asks.
    const folder = args.folder !== undefined ? { handle: args.folder, path: folderOf(context, args.folder) } : await chooseFolder(context, DISTRIBUTE_FOLDER);
    if (folder === null) {
      const { RefusedError } = await import('../../core/errors.js');
      throw new RefusedError('no folder was chosen; nothing was written');
    }
    const done = await distributeRotation(ws, args.ref, { out: folder.path, force: args.force === true, ...(args.flavour ? { flavour: args.flavour } : {}) });
    const pending = done.entries.find((e) => e.state === 'pending');
    let qrSvg: string | null = null;
    if (pending) {
      const identity = findIdentity((await ws.store.read()).data.identities, args.ref);
      qrSvg = await renderQrSvg(qrPayload({ name: identity.name, endpoint: identity.endpoints[0] ?? null, publicKey: pending.publicKey }));
    }
    return {
      dir: done.dir,
      folder,
      left: [...done.left],
      entries: done.entries.map((e) => ({ name: e.name, publicKey: e.publicKey, generation: e.generation, state: e.state })),
      files: [...done.files],
      removed: [...done.removed],
      qrFile: done.qrFile,
      qrSvg,
    };
  },

  'rotation.test': async (args, context) => {
    const ws = context.workspace();
    let serverKey = args.serverKey;
    let endpoint = args.endpoint;
    if (args.peer !== undefined) {
      const { findPeer } = await import('../../core/peers/peers.js');
      const peer = findPeer((await ws.store.read()).data.peers, args.peer);
      serverKey = peer.publicKey;
      if (endpoint === undefined) {
        if (peer.endpoints.length === 0) {
          const { InvalidInputError } = await import('../../core/errors.js');
          throw new InvalidInputError(`peer ${peer.name} has no endpoint; type the endpoint to test`);
        }
        endpoint = peer.endpoints[0]!;
      }
    }
    const { testPendingKey } = await import('../../core/rotation/rotation.js');
    const tested = await testPendingKey(ws, args.ref, {
      endpoint: endpoint!,
      serverKey: serverKey!,
      ...(args.socketType ? { socketType: args.socketType } : {}),
      ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
    });
    return { ...publicStatus(tested), result: publicResult(tested.result) };
  },

  'rotation.promote': async (args, context) => {
    const { promoteRotation } = await import('../../core/rotation/rotation.js');
    return publicStatus(
      await promoteRotation(context.workspace(), args.ref, {
        ...(args.force !== undefined ? { force: args.force } : {}),
        ...(args.graceDays !== undefined ? { graceDays: args.graceDays } : {}),
      }),
    );
  },

  'rotation.finish': async (args, context) => {
    const { finishRotation } = await import('../../core/rotation/rotation.js');
    const finished = await finishRotation(context.workspace(), args.ref, args.force !== undefined ? { force: args.force } : {});
    return { ...publicStatus(finished), retiredGeneration: finished.retiredGeneration, secretDeleted: finished.secretDeleted };
  },

  'rotation.rollback': async (args, context) => {
    const { rollbackRotation } = await import('../../core/rotation/rotation.js');
    const done = await rollbackRotation(context.workspace(), args.ref);
    return { ...publicStatus(done), undone: done.undone, revokedGeneration: done.revokedGeneration, secretDeleted: done.secretDeleted };
  },

  'rotation.schedule': async (_args, context) => {
    const [{ rotationStage }, { identityView }] = await Promise.all([
      import('../../core/rotation/rotation.js'),
      import('../../core/identities/identity-view.js'),
    ]);
    const ws = context.workspace();
    const now = ws.now();
    const { data } = await ws.store.read();
    const items = data.identities.map((identity) => {
      const view = identityView(identity, now);
      const previous = identity.generations.find((g) => g.state === 'previous');
      return {
        id: view.id,
        name: view.name,
        role: view.role,
        generation: view.generation,
        ageDays: view.ageDays,
        rotateEveryDays: view.rotateEveryDays,
        dueAt: view.dueAt,
        due: view.due,
        daysLeft: view.dueAt ? Math.floor((Date.parse(view.dueAt) - now.getTime()) / DAY_MS) : null,
        stage: rotationStage(identity, now),
        graceUntil: previous?.graceUntil ?? null,
      };
    });
    return { now: now.toISOString(), items };
  },
};
