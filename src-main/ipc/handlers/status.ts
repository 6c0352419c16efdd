// Handler of the status area: the status use case (core/usecases/status.ts), the same one
// `curvekeep status` calls; the report is already data.
import type { statusChannels } from '../channels/status.js';
import type { AreaHandlers } from './context.js';

export const statusHandlers: AreaHandlers<typeof statusChannels> = {
  'status.get': async (_args, context) => {
    const { statusOverview } = await import('../../core/usecases/status.js');
    return statusOverview(context.workspace());
  },
  'status.repair': async (_args, context) => {
    const { runDoctor } = await import('../../core/usecases/doctor.js');
    const report = await runDoctor(context.workspace(), { repair: true });
    return { ok: report.ok, repaired: report.repaired.length, remaining: report.remaining.length };
  },
};
