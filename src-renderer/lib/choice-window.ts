// What a choice list holds when there are thousands to choose from (10,000 peers, identities or
// devices): the items matching a search, at most a window of them, and always the one chosen. A
// `<select>` of every one froze a view for 0.3 s (Provisioning, 10,002 options) to 3 s (Link
// tests, 30,010). Long lists are drawn in pages of ROWS_PAGE rows. Tested in
// test/unit/renderer/choice-window.test.ts.

/** Rows a long list draws at first and adds per "Show more" (components/ShowMore.svelte). */
export const ROWS_PAGE = 100;

/** Options a list holds at once; a search finds the rest. */
export const CHOICES_SHOWN = 50;

export interface ChoiceWindow<T> {
  /** The first `limit` matching items, in the given order, and the chosen one first if it is not among them. */
  readonly shown: ReadonlyArray<T>;
  /** How many items match the search: more than are shown when the window is full. */
  readonly matching: number;
}

/** A search matches an item when its text holds the search, ignoring case and surrounding spaces. */
export function searchMatcher(query: string): (text: string) => boolean {
  const wanted = query.trim().toLowerCase();
  return (text) => wanted === '' || text.toLowerCase().includes(wanted);
}

export function choiceWindow<T>(items: ReadonlyArray<T>, query: string, isChosen: (item: T) => boolean, textOf: (item: T) => string, limit: number = CHOICES_SHOWN): ChoiceWindow<T> {
  const matches = searchMatcher(query);
  const shown: T[] = [];
  let matching = 0;
  for (const item of items) {
    if (!matches(textOf(item))) continue;
    matching++;
    if (shown.length < limit) shown.push(item);
  }
  const chosen = items.find(isChosen);
  if (chosen !== undefined && !shown.includes(chosen)) shown.unshift(chosen);
  return { shown, matching };
}

/** The line under a search field: how many match, and whether the list shows them all. */
export function windowNote(matching: number, query: string, what: { readonly one: string; readonly many: string }, limit: number = CHOICES_SHOWN): string {
  const q = query.trim();
  if (matching === 0) return `No ${what.one} matches “${q}”.`;
  if (matching > limit) return `The list shows the first ${limit} of ${matching} ${what.many}${q ? ' that match' : ''}: type more of a name to narrow it.`;
  return matching === 1 ? `One ${what.one} matches.` : `${matching} ${what.many} match.`;
}
