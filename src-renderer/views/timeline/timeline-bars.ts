// The rotation timeline's geometry: one horizontal bar per identity, its key's age against its
// rotation period, on one scale of days shared by every row. Plain data, so it is tested alone.
import type { DueState, RotationStage } from '../../../src-main/common/rotation.js';

export interface ScheduleEntry {
  readonly id: string;
  readonly name: string;
  readonly ageDays: number;
  readonly rotateEveryDays: number | null;
  readonly daysLeft: number | null;
  readonly due: DueState;
  readonly stage: RotationStage;
}

export interface TimelineBar {
  readonly id: string;
  readonly name: string;
  readonly due: ScheduleEntry['due'];
  /** 0..1 of the chart width: the key's age. */
  readonly age: number;
  /** 0..1: where the policy says rotate; null without a policy. */
  readonly period: number | null;
  /** The words a screen reader and the table give for this row. */
  readonly description: string;
  readonly stage: string;
}

export interface Timeline {
  /** Days the full width stands for. */
  readonly spanDays: number;
  /** Gridline positions (0..1) with their day labels. */
  readonly ticks: ReadonlyArray<{ readonly at: number; readonly days: number }>;
  readonly bars: ReadonlyArray<TimelineBar>;
}

const NICE_STEPS = [1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365, 730];

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

/** Most overdue first, then soonest due, then those without a policy, by name. */
export function timeline(entries: ReadonlyArray<ScheduleEntry>): Timeline {
  const longest = Math.max(1, ...entries.map((e) => Math.max(e.ageDays, e.rotateEveryDays ?? 0)));
  // A tenth more than the longest, so that a full bar still leaves room for its mark.
  const spanDays = Math.ceil((longest * 11) / 10);
  const step = NICE_STEPS.find((s) => spanDays / s <= 8) ?? Math.ceil(spanDays / 8);
  const ticks = [];
  for (let days = 0; days <= spanDays; days += step) ticks.push({ at: days / spanDays, days });
  const sorted = [...entries].sort((a, b) => {
    const left = (e: ScheduleEntry) => (e.daysLeft === null ? Number.POSITIVE_INFINITY : e.daysLeft);
    return left(a) - left(b) || a.name.localeCompare(b.name);
  });
  return {
    spanDays,
    ticks,
    bars: sorted.map((e) => ({
      id: e.id,
      name: e.name,
      due: e.due,
      stage: e.stage,
      age: Math.min(1, Math.max(0, e.ageDays) / spanDays),
      period: e.rotateEveryDays === null ? null : Math.min(1, e.rotateEveryDays / spanDays),
      description: describeEntry(e),
    })),
  };
}
