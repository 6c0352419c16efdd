// Handlers of the rotation area: each calls the rotation use case (core/usecases/rotation.ts), the
// same one the CLI's rotate and schedule commands call, and reduces the result to what the wizard
// and the timeline show (identity, stage, next steps as data). Distribute is one core call, whose
// output folder the handler resolves.
import type { RotationNextStep } from '../../common/rotation.js';
import type { RotationStatus } from '../../core/rotation/rotation.js';
import type { rotationChannels } from '../channels/rotation.js';
import type { AreaHandlers } from './context.js';
import { chooseFolder, folderOf } from './folder-handles.js';
import { publicResult } from './links.js';

const useCases = () => import('../../core/usecases/rotation.js');

function publicStatus(status: RotationStatus) {
  return { identity: status.identity, stage: status.stage, next: status.next };
}

/** A calendar event's next step in the app's words: where to click, never a command line. */
function calendarSentence(step: Readonly<RotationNextStep>): string {
  const where = `Open Curvekeep, Rotation, ${step.identity}`;
  switch (step.action) {
    case 'stage':
      return `${where}: stage a new key, hand it out, test it against its servers, promote and finish.`;
    case 'distribute':
      return `${where}: hand the pending key to its peers, then test it.`;
    case 'test':
      return `${where}: test the pending key against its servers.`;
    case 'promote':
      return `${where}: promote the tested key.`;
    case 'finish':
      return `${where}: finish the rotation once every peer uses the new key.`;
    default:
      return `${where}.`;
  }
}

const CALENDAR_FOLDER = { title: 'Choose the folder for the calendar file of rotation due dates', secret: false } as const;
const DISTRIBUTE_FOLDER = { title: 'Choose the folder for the public certificates of the rotation', secret: false } as const;

export const rotationHandlers: AreaHandlers<typeof rotationChannels> = {
  'rotation.chooseFolder': async (_args, context) => ({ folder: await chooseFolder(context, DISTRIBUTE_FOLDER) }),

  'rotation.status': async (args, context) => {
    return publicStatus(await (await useCases()).rotationStatus(context.workspace(), args.ref));
  },

  'rotation.stage': async (args, context) => {
    const staged = await (await useCases()).stageRotation(context.workspace(), args.ref);
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
    const tested = await (await useCases()).testRotation(context.workspace(), args.ref, {
      ...(args.endpoint !== undefined ? { endpoint: args.endpoint } : {}),
      ...(args.serverKey !== undefined ? { serverKey: args.serverKey } : {}),
      ...(args.peer !== undefined ? { peer: args.peer } : {}),
      ...(args.as !== undefined ? { as: args.as } : {}),
      ...(args.oneTimeKey ? { oneTimeKey: true } : {}),
      ...(args.socketType ? { socketType: args.socketType } : {}),
      ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
    });
    return { ...publicStatus(tested), result: publicResult(tested.result) };
  },

  'rotation.promote': async (args, context) => {
    const promoted = await (await useCases()).promoteRotation(context.workspace(), args.ref, {
      ...(args.force !== undefined ? { force: args.force } : {}),
      ...(args.graceDays !== undefined ? { graceDays: args.graceDays } : {}),
    });
    return publicStatus(promoted);
  },

  'rotation.finish': async (args, context) => {
    const finished = await (await useCases()).finishRotation(context.workspace(), args.ref, args.force !== undefined ? { force: args.force } : {});
    return { ...publicStatus(finished), retiredGeneration: finished.retiredGeneration, secretDeleted: finished.secretDeleted };
  },

  'rotation.rollback': async (args, context) => {
    const done = await (await useCases()).rollbackRotation(context.workspace(), args.ref);
    return { ...publicStatus(done), undone: done.undone, revokedGeneration: done.revokedGeneration, secretDeleted: done.secretDeleted };
  },

  'rotation.revoke': async (args, context) => {
    const revoked = await (await useCases()).revokeRotationKey(context.workspace(), args.ref, args.generation, args.force !== undefined ? { force: args.force } : {});
    return { ...publicStatus(revoked), revokedGeneration: revoked.revokedGeneration, secretDeleted: revoked.secretDeleted };
  },

  'rotation.targets': async (args, context) => {
    const found = await (await useCases()).rotationTargets(context.workspace(), args.ref);
    return { role: found.role, targets: found.targets.map((t) => ({ ...t })), clients: found.clients.map((c) => ({ ...c })) };
  },

  'rotation.testAll': async (args, context) => {
    const outcome = await (await useCases()).testRotationTargets(
      context.workspace(),
      args.ref,
      args.targets.map((t) => ({ ...(t.server !== undefined ? { server: t.server } : {}), ...(t.endpoint !== undefined ? { endpoint: t.endpoint } : {}) })),
      {
        ...(args.as !== undefined ? { as: args.as } : {}),
        ...(args.oneTimeKey ? { oneTimeKey: true } : {}),
        ...(args.socketType ? { socketType: args.socketType } : {}),
        ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
      },
    );
    return {
      ...publicStatus(outcome),
      passed: outcome.passed,
      tests: outcome.tests.map((t) => ({ target: { ...t.target }, result: t.result ? publicResult(t.result) : null, error: t.error ? { ...t.error } : null })),
    };
  },

  'rotation.calendar': async (args, context) => {
    const [{ rotationCalendar }, { writeFileAtomic }, { join }] = await Promise.all([useCases(), import('../../core/files.js'), import('node:path')]);
    const folder = args.folder !== undefined ? { handle: args.folder, path: folderOf(context, args.folder) } : await chooseFolder(context, CALENDAR_FOLDER);
    if (folder === null) {
      const { RefusedError } = await import('../../core/errors.js');
      throw new RefusedError('no folder was chosen; nothing was written');
    }
    const { ics, items, now } = await rotationCalendar(context.workspace(), calendarSentence);
    const base = `curvekeep-rotations-${now.slice(0, 10)}`;
    // Never replaces a file: the first free name.
    for (let n = 1; n <= 20; n++) {
      const fileName = n === 1 ? `${base}.ics` : `${base}-${n}.ics`;
      const file = join(folder.path, fileName);
      try {
        await writeFileAtomic(file, ics, { mode: 0o644, overwrite: false });
        return { file, fileName, events: items.filter((i) => i.dueAt !== null).length };
      } catch (error) {
        if (!(error instanceof Error && /exists already/.test(error.message))) throw error;
      }
    }
    const { RefusedError } = await import('../../core/errors.js');
    throw new RefusedError('that folder holds 20 calendar files of today already; choose another folder');
  },

  'rotation.schedule': async (_args, context) => (await useCases()).rotationSchedule(context.workspace()),

  'rotation.due': async (args, context) => {
    const { dueRotations, parsePlanningDate } = await useCases();
    return dueRotations(context.workspace(), args.at !== undefined ? { at: parsePlanningDate(args.at) } : {});
  },
};
