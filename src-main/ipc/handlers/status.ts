// Handler of the status area: the status use case (core/usecases/status.ts), the same one
// `curvekeep status` calls; the report is already data.
import type { statusChannels } from '../channels/status.js';
import type { AreaHandlers } from './context.js';

export const statusHandlers: AreaHandlers<typeof statusChannels> = {
  'status.get': async (args, context) => {
    const { statusOverview, statusWindow } = await import('../../core/usecases/status.js');
    return statusWindow(await statusOverview(context.workspace()), args);
  },
  'status.repair': async (_args, context) => {
    const { runDoctor } = await import('../../core/usecases/doctor.js');
    const report = await runDoctor(context.workspace(), { repair: true });
    return { ok: report.ok, repaired: report.repaired.length, remaining: report.remaining.length };
  },
};
