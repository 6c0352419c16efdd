// Due dates for cron (`rotate --due`) and operators' calendars (an RFC 5545 iCalendar file).
import type { PublicKey } from '../curve/keys.js';
import type { Identity, Role } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { currentGeneration, dueDate } from './policy.js';
import { type RotationStage, rotationStage } from './rotation.js';
import { DAY_MS } from '../../common/time.js';

/** Without a date, "due" means due within this many days (as the identity view's `due-soon`). */
export const DUE_SOON_DAYS = 14;

export interface DueItem {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly generation: number;
  readonly publicKey: PublicKey;
  readonly dueAt: string;
  /** Past its due date now (not at the planning date). */
  readonly overdue: boolean;
  /** Whole days until due; negative when overdue. */
  readonly daysLeft: number;
  readonly stage: RotationStage;
  /** When a promoted rotation's previous key leaves the allowlists (finish is due then). */
  readonly graceUntil: string | null;
}

function dueItem(identity: Identity, due: Date, now: Date): DueItem {
  const current = currentGeneration(identity);
  const previous = identity.generations.find((g) => g.state === 'previous');
  return {
    id: identity.id,
    name: identity.name,
    role: identity.role,
    generation: current.generation,
    publicKey: current.publicKey as PublicKey,
    dueAt: due.toISOString(),
    overdue: due.getTime() <= now.getTime(),
    daysLeft: Math.floor((due.getTime() - now.getTime()) / DAY_MS),
    stage: rotationStage(identity, now),
    graceUntil: previous?.graceUntil ?? null,
  };
}

/** Every identity that has a due date, soonest first. */
export function scheduleOf(identities: ReadonlyArray<Identity>, now: Date): ReadonlyArray<DueItem> {
  const items: DueItem[] = [];
  for (const identity of identities) {
    const due = dueDate(identity);
    if (due) items.push(dueItem(identity, due, now));
  }
  return items.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.name.localeCompare(b.name));
}

export interface DueQuery {
  /** List what is due by this date (planning); default: now plus DUE_SOON_DAYS. */
  readonly at?: Date;
}

export interface DueList {
  readonly now: string;
  readonly by: string;
  readonly items: ReadonlyArray<DueItem>;
  readonly overdue: number;
}

export async function dueList(ws: Workspace, query: Readonly<DueQuery> = {}): Promise<DueList> {
  const { data } = await ws.store.read();
  const now = ws.now();
  const by = query.at ?? new Date(now.getTime() + DUE_SOON_DAYS * DAY_MS);
  const items = scheduleOf(data.identities, now).filter((item) => Date.parse(item.dueAt) <= by.getTime());
  return { now: now.toISOString(), by: by.toISOString(), items, overdue: items.filter((i) => i.overdue).length };
}

export async function schedule(ws: Workspace): Promise<ReadonlyArray<DueItem>> {
  const { data } = await ws.store.read();
  return scheduleOf(data.identities, ws.now());
}

// --- iCalendar (RFC 5545) ---

/** TEXT values: backslash, semicolon, comma and line breaks are escaped (3.3.11). */
export function escapeIcsText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** Lines longer than 75 octets are folded (3.1): CRLF and a space, never inside a UTF-8 character. */
export function foldIcsLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // The space that opens a continuation line counts towards its 75 octets.
    if (octets + size > 75) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n');
}

function icsDate(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, '');
}

function icsDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

export interface IcsEvent {
  readonly uid: string;
  readonly date: Date;
  readonly summary: string;
  readonly description: string;
}

/** The calendar events of a schedule: a rotation per due date, and a finish per grace end. */
export function scheduleEvents(items: ReadonlyArray<DueItem>): ReadonlyArray<IcsEvent> {
  const events: IcsEvent[] = [];
  for (const item of items) {
    events.push({
      // Stable per identity and key generation: re-importing the file updates, never duplicates.
      uid: `rotate-${item.id}-gen${item.generation}@curvekeep`,
      date: new Date(item.dueAt),
      summary: `Rotate ${item.name}`,
      description:
        `The ${item.role} key ${item.name} (generation ${item.generation}, ${item.publicKey}) is due for rotation.\n` +
        `Run: curvekeep rotate ${item.name} --stage`,
    });
    if (item.graceUntil) {
      events.push({
        uid: `finish-${item.id}-gen${item.generation}@curvekeep`,
        date: new Date(item.graceUntil),
        summary: `Finish rotation of ${item.name}`,
        description: `The grace period of ${item.name}'s previous key ends.\nRun: curvekeep rotate ${item.name} --finish`,
      });
    }
  }
  return events;
}

/** An iCalendar file (RFC 5545) with an all-day event per due date; CRLF line ends. */
export function formatIcs(items: ReadonlyArray<DueItem>, now: Date): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Curvekeep//Key rotation schedule//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', 'X-WR-CALNAME:Curvekeep key rotations'];
  for (const event of scheduleEvents(items)) {
    const next = new Date(event.date.getTime() + DAY_MS);
    lines.push(
      'BEGIN:VEVENT',
      `UID:${event.uid}`,
      `DTSTAMP:${icsDateTime(now)}`,
      `DTSTART;VALUE=DATE:${icsDate(event.date)}`,
      `DTEND;VALUE=DATE:${icsDate(next)}`,
      `SUMMARY:${escapeIcsText(event.summary)}`,
      `DESCRIPTION:${escapeIcsText(event.description)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldIcsLine).join('\r\n') + '\r\n';
}
