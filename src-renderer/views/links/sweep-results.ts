// The sweep's results as the panel shows them: summary counts, failures only, one page at a time.
// No DOM and no Svelte state: plain functions over the rows.

/** Rows per page of the sweep's results. */
export const SWEEP_PAGE_SIZE = 50;

export interface SweepSummary {
  readonly total: number;
  readonly ok: number;
  readonly failing: number;
  /** Each verdict that occurred and how often, most frequent first. */
  readonly byVerdict: ReadonlyArray<{ readonly verdict: string; readonly count: number }>;
}

export function sweepSummary(rows: ReadonlyArray<{ readonly verdict: string }>): SweepSummary {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.verdict, (counts.get(row.verdict) ?? 0) + 1);
  const ok = counts.get('ok') ?? 0;
  return {
    total: rows.length,
    ok,
    failing: rows.length - ok,
    byVerdict: [...counts].map(([verdict, count]) => ({ verdict, count })).sort((a, b) => b.count - a.count || a.verdict.localeCompare(b.verdict)),
  };
}

export interface SweepPage<R> {
  readonly rows: ReadonlyArray<R>;
  /** 0-based, clamped to the pages there are. */
  readonly page: number;
  readonly pages: number;
  /** Rows after the filter, before paging. */
  readonly matching: number;
}

/** One page of the results, failures only when asked. */
export function sweepPage<R extends { readonly verdict: string }>(rows: ReadonlyArray<R>, options: { readonly failuresOnly: boolean; readonly page: number; readonly pageSize?: number }): SweepPage<R> {
  const size = options.pageSize ?? SWEEP_PAGE_SIZE;
  const matching = options.failuresOnly ? rows.filter((r) => r.verdict !== 'ok') : rows;
  const pages = Math.max(1, Math.ceil(matching.length / size));
  const page = Math.min(Math.max(0, options.page), pages - 1);
  return { rows: matching.slice(page * size, (page + 1) * size), page, pages, matching: matching.length };
}
