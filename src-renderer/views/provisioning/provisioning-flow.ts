// The Provisioning flow's words and ordering, without the DOM (test/unit/renderer/provisioning-flow.test.ts):
// the template CSV, the outcome of a run as a tone and a sentence ("1 ok, 164 failed" is a failure,
// never green), rows with the failed ones first, and the servers the form offers.
import { CHOICES_SHOWN, choiceWindow, windowNote } from '../../lib/choice-window.js';

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

export interface ServerOptions<S> {
  readonly own: ReadonlyArray<S>;
  readonly peers: ReadonlyArray<S>;
  /** How many of each kind match the search: more than are shown when the list is cut. */
  readonly matching: { readonly own: number; readonly peers: number };
  /** The line under the search field. */
  readonly note: string;
}

/**
 * The servers to offer: those matching `query` by name or endpoint, at most `limit` of each kind
 * in the store's order, and always the `selected` one, so that a search never drops the choice
 * already made (lib/choice-window.ts).
 */
export function serverOptions<S extends ServerChoice>(servers: ReadonlyArray<S>, query: string, selected: string, limit: number = CHOICES_SHOWN): ServerOptions<S> {
  const textOf = (s: S): string => `${s.name} ${s.endpoint ?? ''}`;
  const isChosen = (s: S): boolean => s.id === selected;
  const own = choiceWindow(servers.filter((s) => s.kind === 'identity'), query, isChosen, textOf, limit);
  const peers = choiceWindow(servers.filter((s) => s.kind === 'peer'), query, isChosen, textOf, limit);
  const note =
    peers.matching > limit ? windowNote(peers.matching, query, { one: 'peer', many: 'peers' }, limit)
    : own.matching > limit ? windowNote(own.matching, query, { one: 'own server', many: 'own servers' }, limit)
    : windowNote(own.matching + peers.matching, query, { one: 'server', many: 'servers' }, limit);
  return { own: own.shown, peers: peers.shown, matching: { own: own.matching, peers: peers.matching }, note };
}
