// Handlers of the audit area: the log as the store reads it, newest first, and its verification.
import type { auditChannels } from '../channels/audit.js';
import type { AreaHandlers } from './context.js';

const DEFAULT_LIMIT = 1000;

export const auditHandlers: AreaHandlers<typeof auditChannels> = {
  'audit.list': async (args, context) => {
    const entries = await context.workspace().store.auditEntries();
    const limit = args.limit ?? DEFAULT_LIMIT;
    const newest = entries.slice(-limit).reverse();
    return {
      total: entries.length,
      entries: newest.map((e) => ({ seq: e.seq, at: e.at, action: e.action, subject: e.subject, details: e.details ?? null })),
    };
  },

  'audit.verify': async (_args, context) => {
    const verdict = await context.workspace().store.verifyAudit();
    return { ok: verdict.ok, entries: verdict.entries, broken: verdict.broken ?? null };
  },
};
