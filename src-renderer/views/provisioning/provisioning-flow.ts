// The Provisioning flow's words and ordering, without the DOM (test/unit/renderer/provisioning-flow.test.ts):
// the template CSV, the outcome of a run as a tone and a sentence ("1 ok, 164 failed" is a failure,
// never green), rows with the failed ones first, and the servers the form offers.

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

/** A server devices can be provisioned for, as `provisioning.servers` lists it. */
export interface ServerChoice {
  readonly id: string;
  readonly name: string;
  readonly kind: 'identity' | 'peer';
  readonly endpoint: string | null;
}

/**
 * Options of each kind the server list holds at once: with 10,000 peers, a list of every one froze
 * the view for 0.3 s when it opened. A search (by name or endpoint) finds the rest.
 */
export const SERVER_CHOICES = 50;

export interface ServerOptions<S> {
  readonly own: ReadonlyArray<S>;
  readonly peers: ReadonlyArray<S>;
  /** How many of each kind match the search: more than are shown when the list is cut. */
  readonly matching: { readonly own: number; readonly peers: number };
}

/**
 * The servers to offer: those matching `query`, at most `limit` of each kind in the store's order,
 * and always the `selected` one, so that a search never drops the choice already made.
 */
export function serverOptions<S extends ServerChoice>(servers: ReadonlyArray<S>, query: string, selected: string, limit: number = SERVER_CHOICES): ServerOptions<S> {
  const wanted = query.trim().toLowerCase();
  const matches = (s: S): boolean => wanted === '' || s.name.toLowerCase().includes(wanted) || (s.endpoint?.toLowerCase().includes(wanted) ?? false);
  const pick = (kind: ServerChoice['kind']): { shown: S[]; count: number } => {
    const shown: S[] = [];
    let count = 0;
    for (const s of servers) {
      if (s.kind !== kind || !matches(s)) continue;
      count++;
      if (shown.length < limit) shown.push(s);
    }
    const chosen = servers.find((s) => s.id === selected && s.kind === kind);
    if (chosen && !shown.includes(chosen)) shown.unshift(chosen);
    return { shown, count };
  };
  const own = pick('identity');
  const peers = pick('peer');
  return { own: own.shown, peers: peers.shown, matching: { own: own.count, peers: peers.count } };
}
