// Which rows of a long list of fixed-height rows to put in the DOM: those in view plus a few on
// either side, so that 10,000 identities cost as much to render as 30.

export interface WindowInput {
  readonly scrollTop: number;
  readonly viewportHeight: number;
  readonly rowHeight: number;
  readonly count: number;
  /** Extra rows above and below the visible ones. */
  readonly overscan?: number;
}

export interface RowWindow {
  /** First row in the DOM. */
  readonly start: number;
  /** One past the last row in the DOM. */
  readonly end: number;
  /** Where the first row sits, in pixels from the top of the list. */
  readonly offset: number;
  /** The height of the whole list. */
  readonly totalHeight: number;
}

export function visibleRows(input: WindowInput): RowWindow {
  const { rowHeight, count } = input;
  const overscan = input.overscan ?? 6;
  const viewport = Math.max(input.viewportHeight, rowHeight);
  const top = Math.max(0, input.scrollTop);
  const first = Math.min(count, Math.floor(top / rowHeight));
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, Math.ceil((top + viewport) / rowHeight) + overscan);
  return { start, end: Math.max(start, end), offset: start * rowHeight, totalHeight: count * rowHeight };
}

/** The scrollTop that brings row `index` fully into view, or null when it is in view already. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return rowBottom - viewportHeight;
  return null;
}
