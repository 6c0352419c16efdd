// The Keys list as a page shows it: lean rows (the fields a row shows, no safety codes, no
// generations), in pages. 10,000 identities as full views are ~6 MB of JSON; as rows ~2 MB, and
// the first page is a few KiB. An identity's detail comes from showIdentity on selection.
import { dueState, type DueState } from '../../common/rotation.js';
import { currentGeneration, keyDates, pendingGeneration } from '../rotation/policy.js';
import type { Identity, KeyState, Role } from '../store/document.js';
import type { Workspace } from '../workspace.js';

export interface KeyRow {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly tags: ReadonlyArray<string>;
  /** The current public key (the list searches it). */
  readonly publicKey: string;
  readonly state: KeyState;
  /** A rotation under way. */
  readonly rotating: boolean;
  readonly ageDays: number;
  readonly dueAt: string | null;
  readonly due: DueState;
}

export interface KeyRowsRequest {
  readonly offset?: number;
  /** Default: every row from offset on. */
  readonly limit?: number | null;
}

export interface KeyRows {
  readonly total: number;
  readonly offset: number;
  readonly rows: ReadonlyArray<KeyRow>;
}

export function keyRow(identity: Identity, now: Date): KeyRow {
  const current = currentGeneration(identity);
  const { dueAt: due, ageDays } = keyDates(identity, current, now);
  return {
    id: identity.id,
    name: identity.name,
    role: identity.role,
    tags: identity.tags,
    publicKey: current.publicKey,
    state: current.state,
    rotating: pendingGeneration(identity) !== null,
    ageDays,
    dueAt: due ? due.toISOString() : null,
    due: dueState(due, now),
  };
}

/** Identities in store order, `limit` of them from `offset`. */
export async function listKeyRows(ws: Workspace, request: Readonly<KeyRowsRequest> = {}): Promise<KeyRows> {
  const { data } = await ws.store.read();
  const now = ws.now();
  const offset = Math.max(0, request.offset ?? 0);
  const end = request.limit == null ? data.identities.length : Math.min(data.identities.length, offset + Math.max(0, request.limit));
  const rows: KeyRow[] = [];
  for (let i = offset; i < end; i++) rows.push(keyRow(data.identities[i]!, now));
  return { total: data.identities.length, offset, rows };
}
