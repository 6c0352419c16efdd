// Handlers of the devices area: thin calls into the devices use case (core/usecases/devices.ts).
import { type DeviceView, deviceQr, deviceServers, listDevices, reissueDevices, removeDevice, showDevice } from '../../core/usecases/devices.js';
import { MAX_DEVICE_PAGE, type devicesChannels } from '../channels/devices.js';
import type { AreaHandlers } from './context.js';
import { folderOf } from './folder-handles.js';

/** The default page: the page asks for more with offset. */
const DEFAULT_PAGE = 200;

export const devicesHandlers: AreaHandlers<typeof devicesChannels> = {
  'devices.list': async (args, context) =>
    listDevices(context.workspace(), {
      server: args.server ?? null,
      batch: args.batch ?? null,
      tag: args.tag ?? null,
      text: args.text ?? null,
      includeRemoved: args.includeRemoved === true,
      state: args.state ?? null,
      offset: args.offset ?? 0,
      limit: Math.min(args.limit ?? DEFAULT_PAGE, MAX_DEVICE_PAGE),
    }).then((list) => ({ ...list, devices: [...list.devices].map((d) => ({ ...d, tags: [...d.tags] })) })),
  'devices.servers': async (_args, context) => ({ servers: [...(await deviceServers(context.workspace()))] }),
  'devices.show': async (args, context) => detail(await showDevice(context.workspace(), args.ref)),
  'devices.qr': async (args, context) => deviceQr(context.workspace(), args.ref),
  'devices.remove': async (args, context) => detail(await removeDevice(context.workspace(), args.ref, args.confirm)),
  'devices.finishReissue': async (args, context) => {
    const result = await reissueDevices(context.workspace(), { device: args.ref, finish: true });
    return { devices: result.devices.map((d) => ({ id: d.id, name: d.name })) };
  },
  'devices.reissue': async (args, context) => {
    const outDir = folderOf(context, args.outFolder);
    const result = await reissueDevices(context.workspace(), { device: args.ref, outDir });
    return { outDir: result.outDir, devices: result.devices.map((d) => ({ id: d.id, name: d.name, publicKey: d.publicKey })) };
  },
};

function detail(d: DeviceView) {
  return {
      id: d.id,
      name: d.name,
      publicKey: d.publicKey,
      safetyCode: d.safetyCode,
      server: d.server,
      serverName: d.serverName,
      batch: d.batch,
      bundleDir: d.bundleDir,
      tags: [...d.tags],
      state: d.state,
      createdAt: d.createdAt,
      removedAt: d.removedAt ?? null,
      keptSecret: d.keptSecret,
      previousPublicKey: d.previousPublicKey ?? null,
      batchInfo: d.batchInfo ? { id: d.batchInfo.id, createdAt: d.batchInfo.createdAt, csvName: d.batchInfo.csvName, outDir: d.batchInfo.outDir, counts: d.batchInfo.counts } : null,
  };
}
