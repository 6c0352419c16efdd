// What the Audit view shows of a log entry, and the filter box's matching. The log holds names,
// ids, public keys and what was done; never a secret, so every field may be shown as it is.
import type { ResultOf } from '../../../src-main/ipc/contract.js';

export type AuditEntry = ResultOf<'audit.list'>['entries'][number];
export type AuditVerdict = ResultOf<'audit.verify'>;

/** `generation=2, reason=scheduled` — the details of an entry on one line. */
export function formatDetails(details: AuditEntry['details']): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([key, value]) => `${key}=${value === null ? '—' : String(value)}`)
    .join(', ');
}

export interface AuditRow {
  readonly entry: AuditEntry;
  readonly details: string;
  /** Lower-cased text the filter box searches: time, action, subject and details. */
  readonly haystack: string;
}

export function auditRows(entries: ReadonlyArray<AuditEntry>): ReadonlyArray<AuditRow> {
  return entries.map((entry) => {
    const details = formatDetails(entry.details);
    return { entry, details, haystack: `${entry.at} ${entry.action} ${entry.subject} ${details}`.toLowerCase() };
  });
}

/** Rows whose text holds every word of the query, in any order (case-insensitive). */
export function filterAuditRows(rows: ReadonlyArray<AuditRow>, query: string): ReadonlyArray<AuditRow> {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return rows;
  return rows.filter((row) => words.every((w) => row.haystack.includes(w)));
}

/** The verdict in one sentence, for the result panel. */
export function describeVerdict(verdict: AuditVerdict): string {
  const count = `${verdict.entries} ${verdict.entries === 1 ? 'entry' : 'entries'}`;
  if (verdict.ok) return `The log is intact: ${count} checked, every hash and seal matches.`;
  const broken = verdict.broken;
  if (!broken) return `The log is broken (${count} read).`;
  const which = broken.seq === null ? `at position ${broken.position}` : `at position ${broken.position} (entry #${broken.seq})`;
  return `The log is broken ${which}: ${broken.reason}.`;
}
