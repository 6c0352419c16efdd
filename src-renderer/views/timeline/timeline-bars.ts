// The rotation timeline's geometry: one row per identity on a shared DATE axis: its key's life
// from when it was made (now minus its age) to when it falls due, with today and the next 30 days
// marked. Plain data, so it is tested alone. The axis and the order take every entry (one sort);
// a bar is made only for the rows drawn (barsOf): a fleet has 10,000 keys and the chart shows
// the first hundred until asked for more.
import type { DueState, RotationStage } from '../../../src-main/common/rotation.js';
import { DAY_MS } from '../../../src-main/common/time.js';

export interface ScheduleEntry {
  readonly id: string;
  readonly name: string;
  readonly ageDays: number;
  readonly rotateEveryDays: number | null;
  readonly daysLeft: number | null;
  readonly due: DueState;
  readonly stage: RotationStage;
  /** When it falls due (ISO); derived from daysLeft when absent. */
  readonly dueAt?: string | null;
}

export interface TimelineBar {
  readonly id: string;
  readonly name: string;
  readonly due: ScheduleEntry['due'];
  /** 0..1 of the axis: when the key was made. */
  readonly from: number;
  /** 0..1: when it falls due; null without a policy. */
  readonly to: number | null;
  /** The due date as YYYY-MM-DD, or null. */
  readonly dueDate: string | null;
  /** The words a screen reader and the table give for this row. */
  readonly description: string;
  readonly stage: RotationStage;
}

/** The date axis every bar shares, and the entries in the chart's order. */
export interface TimelineAxis<T extends ScheduleEntry = ScheduleEntry> {
  /** The axis: its first and last instant. */
  readonly start: number;
  readonly end: number;
  /** 0..1: today, and the end of the next 30 days. */
  readonly today: number;
  readonly window: number;
  /** Gridlines (0..1) with their date labels. */
  readonly ticks: ReadonlyArray<{ readonly at: number; readonly label: string }>;
  /** Every entry: most overdue first, then soonest due, then those without a policy, by name. */
  readonly order: ReadonlyArray<T>;
  /** The instant the axis was made for. */
  readonly now: number;
}

/** What the chart draws: the axis and the bars of the rows shown. */
export type Timeline = Omit<TimelineAxis, 'order' | 'now'> & { readonly bars: ReadonlyArray<TimelineBar> };

/** "Due in the next 30 days": the window the timeline marks and lists. */
export const WINDOW_DAYS = 30;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function describeEntry(e: ScheduleEntry): string {
  const age = `key ${plural(Math.max(0, e.ageDays), 'day')} old`;
  if (e.rotateEveryDays === null || e.daysLeft === null) return `${e.name}: ${age}, no rotation policy`;
  const policy = `rotate every ${plural(e.rotateEveryDays, 'day')}`;
  const when =
    e.daysLeft < 0 ? `overdue by ${plural(-e.daysLeft, 'day')}` : e.daysLeft === 0 ? 'due today' : `due in ${plural(e.daysLeft, 'day')}`;
  const rotating = e.stage !== 'idle' ? `, rotation ${e.stage}` : '';
  return `${e.name}: ${age}, ${policy}, ${when}${rotating}`;
}

function dueTime(e: ScheduleEntry, now: number): number | null {
  if (e.dueAt) return Date.parse(e.dueAt);
  return e.daysLeft === null ? null : now + e.daysLeft * DAY_MS;
}

/** Most overdue first, then soonest due, then those without a policy, by name. */
function byDue(a: ScheduleEntry, b: ScheduleEntry): number {
  const left = (e: ScheduleEntry) => (e.daysLeft === null ? Number.POSITIVE_INFINITY : e.daysLeft);
  return left(a) - left(b) || a.name.localeCompare(b.name);
}

/** Month starts (or, on a short axis, week starts) between start and end, at most about 8. */
function dateTicks(start: number, end: number): Array<{ at: number; label: string }> {
  const span = end - start;
  const ticks: Array<{ at: number; label: string }> = [];
  if (span <= 70 * DAY_MS) {
    const step = span <= 21 * DAY_MS ? 2 * DAY_MS : 7 * DAY_MS;
    const first = new Date(start);
    first.setUTCHours(0, 0, 0, 0);
    for (let t = first.getTime() + DAY_MS; t <= end; t += step) {
      const d = new Date(t);
      ticks.push({ at: (t - start) / span, label: `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}` });
    }
    return ticks;
  }
  const months = Math.ceil(span / (30 * DAY_MS));
  const every = [1, 2, 3, 6, 12, 24].find((m) => months / m <= 8) ?? Math.ceil(months / 8);
  const d = new Date(start);
  let year = d.getUTCFullYear();
  let month = d.getUTCMonth() + 1;
  if (month > 11) {
    month = 0;
    year += 1;
  }
  for (;;) {
    const t = Date.UTC(year, month, 1);
    if (t > end) break;
    if (month % every === 0 || every === 1) ticks.push({ at: (t - start) / span, label: `${MONTHS[month]} ${year}` });
    month += 1;
    if (month > 11) {
      month = 0;
      year += 1;
    }
  }
  return ticks;
}

export function timeline<T extends ScheduleEntry>(entries: ReadonlyArray<T>, nowAt: Date | number = Date.now()): TimelineAxis<T> {
  const now = typeof nowAt === 'number' ? nowAt : nowAt.getTime();
  const windowEnd = now + WINDOW_DAYS * DAY_MS;
  // A loop: Math.min(...dates) of every key overflowed the stack (past ~125,000 arguments here,
  // two dates per key: a fleet that keeps 100,000 device secrets has that many keys).
  let earliest = now - WINDOW_DAYS * DAY_MS;
  let latest = windowEnd;
  for (const e of entries) {
    earliest = Math.min(earliest, now - Math.max(0, e.ageDays) * DAY_MS);
    const due = dueTime(e, now);
    if (due !== null) {
      earliest = Math.min(earliest, due);
      latest = Math.max(latest, due);
    }
  }
  // A twentieth of room on each side, so that a bar's ends and their marks stay inside.
  const pad = (latest - earliest) / 20;
  const start = earliest - pad;
  const end = latest + pad;
  const at = (t: number) => (t - start) / (end - start);
  return { start, end, today: at(now), window: at(windowEnd), ticks: dateTicks(start, end), order: [...entries].sort(byDue), now };
}

/** The bars of the first `count` entries of the axis's order. */
export function barsOf(axis: TimelineAxis, count: number = axis.order.length): TimelineBar[] {
  const { start, end, now } = axis;
  const at = (t: number) => (t - start) / (end - start);
  return axis.order.slice(0, count).map((e) => {
    const due = dueTime(e, now);
    return {
      id: e.id,
      name: e.name,
      due: e.due,
      stage: e.stage,
      from: at(now - Math.max(0, e.ageDays) * DAY_MS),
      to: due === null ? null : at(due),
      dueDate: due === null ? null : new Date(due).toISOString().slice(0, 10),
      description: describeEntry(e),
    };
  });
}

/** Whether an entry falls due within `days` from now (an overdue one does). */
export function dueIn(e: ScheduleEntry, days: number = WINDOW_DAYS): boolean {
  return e.daysLeft !== null && e.daysLeft <= days;
}
