// The Provisioning flow's words and ordering, without the DOM (test/unit/renderer/provisioning-flow.test.ts):
// the template CSV, the outcome of a run as a tone and a sentence ("1 ok, 164 failed" is a failure,
// never green), and rows with the failed ones first.

export const TEMPLATE_FILE_NAME = 'devices-template.csv';

/** The columns provisioning reads, and two example rows (tags split by spaces, `;` or `|`). */
export const TEMPLATE_CSV = 'name,endpoint,tags,public_key\nvalve-001,,plant-3,\nvalve-002,,plant-3 line-2,\n';

export function templateHref(): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(TEMPLATE_CSV)}`;
}

export interface Counts {
  readonly ok: number;
  readonly skipped: number;
  readonly failed: number;
}

export type Tone = 'ok' | 'warn' | 'danger';

/** How a run went: any failed row makes it a failure; a cancelled run is a warning. */
export function outcomeOf(counts: Readonly<Counts>, state: 'done' | 'cancelled' | 'failed' | 'running' = 'done'): { tone: Tone; text: string } {
  const tally = `${counts.ok} ok, ${counts.skipped} skipped, ${counts.failed} failed`;
  if (state === 'failed') return { tone: 'danger', text: `The run stopped: ${tally}.` };
  if (state === 'cancelled') return { tone: 'warn', text: `Cancelled: ${tally}. Bundles written so far are whole; a rerun skips them.` };
  if (counts.failed > 0 && counts.ok + counts.skipped === 0) return { tone: 'danger', text: `Every row failed: ${tally}.` };
  if (counts.failed > 0) return { tone: 'danger', text: `${counts.failed === 1 ? 'A row' : `${counts.failed} rows`} failed: ${tally}. Fix them and retry.` };
  return { tone: 'ok', text: `All rows done: ${tally}.` };
}

/** Failed rows first, then the rest, each in the file's order. */
export function failedFirst<R extends { readonly row: number }>(rows: ReadonlyArray<R>, isFailed: (row: R) => boolean): R[] {
  const failed = rows.filter(isFailed);
  const rest = rows.filter((r) => !isFailed(r));
  return [...failed, ...rest];
}
