// Due dates for cron (`rotate --due`), the timeline and operators' calendars (an RFC 5545
// iCalendar file). Pure: the use cases (core/usecases/rotation.ts) read the store and call these.
import {
  DUE_SOON_DAYS,
  type DueState,
  type RotationNextStep,
  type RotationStage,
  daysUntil,
  dueState,
  rotationStage,
} from '../../common/rotation.js';
import { DAY_MS } from '../../common/time.js';
import type { PublicKey } from '../curve/keys.js';
import type { Identity, Role } from '../store/document.js';
import { ageDays, currentGeneration, dueDate } from './policy.js';

export { DUE_SOON_DAYS };

/** One identity's key against its rotation policy: the same item for the CLI, the app and `--due`. */
export interface ScheduleItem {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly generation: number;
  readonly publicKey: PublicKey;
  readonly ageDays: number;
  /** Days between rotations; null: never due. */
  readonly rotateEveryDays: number | null;
  readonly dueAt: string | null;
  readonly due: DueState;
  /** Past its due date now (not at a planning date). */
  readonly overdue: boolean;
  /** Whole days until due; negative when overdue; null without a policy. */
  readonly daysLeft: number | null;
  readonly stage: RotationStage;
  /** When a promoted rotation's previous key leaves the allowlists (finish is due then). */
  readonly graceUntil: string | null;
}

/** A schedule item that has a due date. */
export interface DueItem extends ScheduleItem {
  readonly dueAt: string;
  readonly daysLeft: number;
}

export function scheduleItem(identity: Identity, now: Date): ScheduleItem {
  const current = currentGeneration(identity);
  const previous = identity.generations.find((g) => g.state === 'previous');
  const due = dueDate(identity);
  return {
    id: identity.id,
    name: identity.name,
    role: identity.role,
    generation: current.generation,
    publicKey: current.publicKey as PublicKey,
    ageDays: ageDays(identity, now),
    rotateEveryDays: identity.rotateEveryDays,
    dueAt: due ? due.toISOString() : null,
    due: dueState(due, now),
    overdue: due !== null && due.getTime() <= now.getTime(),
    daysLeft: due ? daysUntil(due, now) : null,
    stage: rotationStage(identity.generations, now),
    graceUntil: previous?.graceUntil ?? null,
  };
}

function hasDueDate(item: ScheduleItem): item is DueItem {
  return item.dueAt !== null;
}

/** Every identity, soonest due first, those never due last; ties by name. */
export function scheduleOf(identities: ReadonlyArray<Identity>, now: Date): ReadonlyArray<ScheduleItem> {
  return identities
    .map((identity) => scheduleItem(identity, now))
    .sort((a, b) => (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff') || a.name.localeCompare(b.name));
}

/** The items due by `by` (overdue ones included), soonest first. */
export function dueBy(items: ReadonlyArray<ScheduleItem>, by: Date): ReadonlyArray<DueItem> {
  return items.filter(hasDueDate).filter((item) => Date.parse(item.dueAt) <= by.getTime());
}

/** Without a planning date, "due" means due within DUE_SOON_DAYS. */
export function defaultDueBy(now: Date): Date {
  return new Date(now.getTime() + DUE_SOON_DAYS * DAY_MS);
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
  /** What to do on that day, as data. */
  readonly next: RotationNextStep;
}

/** Words a next step for the calendar's reader (the CLI as a command, the app as a sentence). */
export type PhraseStep = (step: RotationNextStep) => string;

/**
 * The steps still to take for a rotation already staged or tested (empty otherwise): staged ->
 * distribute, test, promote; tested -> distribute (if not done yet), promote. Never "stage" again.
 */
function underwaySteps(item: Readonly<ScheduleItem>): ReadonlyArray<RotationNextStep> {
  const identity = item.name;
  if (item.stage === 'staged') return [{ action: 'distribute', identity }, { action: 'test', identity }, { action: 'promote', identity }];
  if (item.stage === 'tested') return [{ action: 'distribute', identity }, { action: 'promote', identity }];
  return [];
}

/** The calendar events of a schedule: a rotation per due date, and a finish per grace end. */
export function scheduleEvents(items: ReadonlyArray<ScheduleItem>, phrase: PhraseStep): ReadonlyArray<IcsEvent> {
  const events: IcsEvent[] = [];
  for (const item of items) {
    if (item.dueAt !== null) {
      const under = underwaySteps(item);
      const next: RotationNextStep = under[0] ?? { action: 'stage', identity: item.name };
      events.push({
        // Stable per identity and key generation: re-importing the file updates, never duplicates.
        uid: `rotate-${item.id}-gen${item.generation}@curvekeep`,
        date: new Date(item.dueAt),
        summary: under.length > 0 ? `Continue rotation of ${item.name} (${item.stage})` : `Rotate ${item.name}`,
        description:
          under.length > 0
            ? `The ${item.role} key ${item.name} (generation ${item.generation}, ${item.publicKey}) is due for rotation; a new key is ${item.stage} already. Next:\n${under.map(phrase).join('\n')}`
            : `The ${item.role} key ${item.name} (generation ${item.generation}, ${item.publicKey}) is due for rotation.\n${phrase(next)}`,
        next,
      });
    }
    if (item.graceUntil) {
      const next: RotationNextStep = { action: 'finish', identity: item.name, after: item.graceUntil };
      events.push({
        uid: `finish-${item.id}-gen${item.generation}@curvekeep`,
        date: new Date(item.graceUntil),
        summary: `Finish rotation of ${item.name}`,
        description: `The grace period of ${item.name}'s previous key ends.\n${phrase(next)}`,
        next,
      });
    }
  }
  return events;
}

/** An iCalendar file (RFC 5545) with an all-day event per due date; CRLF line ends. */
export function formatIcs(items: ReadonlyArray<ScheduleItem>, now: Date, phrase: PhraseStep): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Curvekeep//Key rotation schedule//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', 'X-WR-CALNAME:Curvekeep key rotations'];
  for (const event of scheduleEvents(items, phrase)) {
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
