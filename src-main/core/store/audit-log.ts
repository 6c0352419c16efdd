// The append-only audit log: JSON lines, each carrying the hash of the previous entry and an HMAC
// under a key held in the keychain. Entries never hold secrets: only names, ids, public keys,
// pins and what was done.
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { appendFile, open, readFile } from 'node:fs/promises';

export interface AuditEvent {
  readonly action: string;
  /** What the event is about: an identity, peer or host name. */
  readonly subject: string;
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly action: string;
  readonly subject: string;
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
  readonly prev: string;
  readonly hash: string;
  readonly mac: string;
}

/** Checks one parsed line by hand: reading the log should not need the schema library. */
function isEntry(value: unknown): value is AuditEntry {
  if (!value || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  return (
    Number.isInteger(e.seq) && (e.seq as number) >= 1 &&
    ['at', 'action', 'subject', 'prev', 'hash', 'mac'].every((k) => typeof e[k] === 'string') &&
    (e.details === undefined || (typeof e.details === 'object' && e.details !== null && !Array.isArray(e.details) && Object.values(e.details).every(scalar)))
  );
}

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** One-shot hashing: a provisioning run seals 10,000 entries, and `audit verify` reads them all. */
function entryHash(body: Omit<AuditEntry, 'hash' | 'mac'>): string {
  const { seq, at, action, subject, details, prev } = body;
  return hash('sha256', JSON.stringify([seq, at, action, subject, details ?? null, prev]), 'hex');
}

function entryMac(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(hash).digest('hex');
}

export function makeEntries(
  head: AuditHead,
  events: ReadonlyArray<AuditEvent>,
  at: string,
  key: Buffer,
): { entries: AuditEntry[]; head: AuditHead } {
  const entries: AuditEntry[] = [];
  let { seq, hash } = head;
  for (const event of events) {
    const body = { seq: seq + 1, at, action: event.action, subject: event.subject, ...(event.details ? { details: { ...event.details } } : {}), prev: hash };
    const h = entryHash(body);
    entries.push({ ...body, hash: h, mac: entryMac(key, h) });
    seq += 1;
    hash = h;
  }
  return { entries, head: { seq, hash } };
}

export async function appendEntries(path: string, entries: ReadonlyArray<AuditEntry>): Promise<void> {
  if (entries.length === 0) return;
  await appendFile(path, entries.map((e) => JSON.stringify(e)).join('\n') + '\n', { mode: 0o600 });
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readEntries(path: string): Promise<{ entries: AuditEntry[]; bad: { line: number; reason: string } | null }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], bad: null };
    throw error;
  }
  const entries: AuditEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return { entries, bad: { line: i + 1, reason: 'not valid JSON' } };
    }
    if (!isEntry(parsed)) return { entries, bad: { line: i + 1, reason: 'not an audit entry' } };
    entries.push(parsed);
  }
  return { entries, bad: null };
}

export interface AuditVerdict {
  readonly ok: boolean;
  readonly entries: number;
  /** The first broken entry (its 1-based position in the file) and why. */
  readonly broken?: { readonly position: number; readonly seq: number | null; readonly reason: string };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function verifyLog(path: string, key: Buffer, sealedHead: AuditHead): Promise<AuditVerdict> {
  const { entries, bad } = await readEntries(path);
  let prev = '';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const position = i + 1;
    const fail = (reason: string): AuditVerdict => ({ ok: false, entries: entries.length, broken: { position, seq: e.seq, reason } });
    if (e.seq !== i + 1) return fail(`expected entry ${i + 1} here, found entry ${e.seq} (an entry was deleted or moved)`);
    if (e.prev !== prev) return fail('it does not follow the entry before it (an entry was deleted, inserted or moved)');
    if (entryHash(e) !== e.hash) return fail('its content does not match its hash (it was edited)');
    if (!same(entryMac(key, e.hash), e.mac)) return fail('its seal does not match (it was rewritten without the audit key)');
    prev = e.hash;
  }
  if (bad) return { ok: false, entries: entries.length, broken: { position: entries.length + 1, seq: null, reason: `line ${bad.line} is ${bad.reason}` } };
  if (sealedHead.seq > 0) {
    const sealed = entries[sealedHead.seq - 1];
    if (!sealed) {
      return {
        ok: false,
        entries: entries.length,
        broken: { position: entries.length + 1, seq: sealedHead.seq, reason: `the log ends before entry ${sealedHead.seq}, which the sealed store records (entries were removed from the end)` },
      };
    }
    if (sealed.hash !== sealedHead.hash) {
      return { ok: false, entries: entries.length, broken: { position: sealedHead.seq, seq: sealedHead.seq, reason: 'it is not the entry the sealed store records (the log was rewritten)' } };
    }
  }
  return { ok: true, entries: entries.length };
}
