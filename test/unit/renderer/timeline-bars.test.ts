// The timeline chart's geometry on its date axis and its text alternative, without a DOM.
import { describe, expect, it } from 'vitest';
import type { RotationStage } from '../../../src-main/common/rotation.js';
import { type ScheduleEntry, barsOf, describeEntry, dueIn, timeline } from '../../../src-renderer/views/timeline/timeline-bars.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1, 12);

function entry(name: string, ageDays: number, rotateEveryDays: number | null, stage: RotationStage = 'idle'): ScheduleEntry {
  const daysLeft = rotateEveryDays === null ? null : rotateEveryDays - ageDays;
  const due = daysLeft === null ? 'never' : daysLeft < 0 ? 'overdue' : daysLeft <= 14 ? 'due-soon' : 'ok';
  return { id: `id_${name}`, name, ageDays, rotateEveryDays, daysLeft, due, stage };
}

describe('timeline', () => {
  it('puts every key on one date axis from the oldest key to the latest due date, with today inside', () => {
    const data = timeline([entry('gateway', 40, 90), entry('old-sensor', 400, 365), entry('lab', 3, null)], NOW);
    const bars = barsOf(data);
    const sensor = bars.find((b) => b.name === 'old-sensor')!;
    const gateway = bars.find((b) => b.name === 'gateway')!;
    // The oldest key starts near the left edge; today lies between it and the latest due date.
    expect(sensor.from).toBeGreaterThan(0);
    expect(sensor.from).toBeLessThan(0.1);
    expect(sensor.to!).toBeLessThan(data.today);
    expect(gateway.to!).toBeGreaterThan(data.today);
    expect(gateway.dueDate).toBe(new Date(NOW + 50 * DAY).toISOString().slice(0, 10));
    expect(data.window).toBeGreaterThan(data.today);
    expect(bars.find((b) => b.name === 'lab')!.to).toBeNull();
    for (const bar of bars) {
      expect(bar.from).toBeGreaterThanOrEqual(0);
      expect(bar.to ?? 0).toBeLessThanOrEqual(1);
    }
  });

  it('labels the axis with dates: months on a long axis, days on a short one', () => {
    const long = timeline([entry('old-sensor', 400, 365)], NOW);
    expect(long.ticks.length).toBeGreaterThan(2);
    expect(long.ticks.length).toBeLessThanOrEqual(9);
    expect(long.ticks.every((t) => /^[A-Z][a-z]{2} \d{4}$/.test(t.label) && t.at >= 0 && t.at <= 1)).toBe(true);
    const short = timeline([entry('new', 1, 20)], NOW);
    expect(short.ticks.length).toBeGreaterThan(1);
    expect(short.ticks.every((t) => /^\d{1,2} [A-Z][a-z]{2}$/.test(t.label))).toBe(true);
    // Ticks go left to right.
    expect([...long.ticks].sort((a, b) => a.at - b.at)).toEqual(long.ticks);
  });

  it('orders most overdue first and keys without a policy last', () => {
    const data = timeline([entry('lab', 3, null), entry('gateway', 40, 90), entry('old-sensor', 400, 365), entry('door', 85, 90)], NOW);
    expect(data.order.map((e) => e.name)).toEqual(['old-sensor', 'door', 'gateway', 'lab']);
    expect(barsOf(data).map((b) => b.name)).toEqual(['old-sensor', 'door', 'gateway', 'lab']);
  });

  it('makes bars only for the rows shown, on the axis of every key', () => {
    // 1,000 keys; the last in order has no policy, and the latest due date belongs to a key far down the order.
    const entries = Array.from({ length: 999 }, (_, i) => entry(`k${String(i).padStart(3, '0')}`, 10, 20 + i));
    entries.push(entry('zz-no-policy', 5000, null));
    const data = timeline(entries, NOW);
    const first = barsOf(data, 100);
    expect(first).toHaveLength(100);
    expect(first).toEqual(barsOf(data).slice(0, 100));
    // The axis spans the oldest key and the latest due date, though neither is among the bars drawn.
    expect(data.start).toBeLessThan(NOW - 5000 * DAY);
    expect(data.end).toBeGreaterThan(NOW + (20 + 998 - 10) * DAY);
    expect(first.every((b) => b.to !== null && b.to < 1 && b.from > 0)).toBe(true);
    expect(barsOf(data, 5000)).toHaveLength(1000);
  });

  it('makes the axis of 110,000 keys (two dates each were once 220,000 arguments of one Math.min call)', () => {
    const entries = Array.from({ length: 110_000 }, (_, i) => entry(`k${i}`, i % 400, 365));
    const data = timeline(entries, NOW);
    expect(data.order).toHaveLength(110_000);
    expect(data.start).toBeLessThan(NOW - 399 * DAY);
    expect(barsOf(data, 100)).toHaveLength(100);
  });

  it('tells what is due in the next 30 days, overdue first in the order', () => {
    const items = [entry('lab', 3, null), entry('gateway', 40, 90), entry('old-sensor', 400, 365), entry('door', 85, 90), entry('cam', 60, 90)];
    const { order } = timeline(items, NOW);
    expect(order.filter((e) => dueIn(e)).map((e) => e.name)).toEqual(['old-sensor', 'door', 'cam']);
    expect(order.filter((e) => dueIn(e, 5)).map((e) => e.name)).toEqual(['old-sensor', 'door']);
  });

  it('says in words what each bar shows', () => {
    expect(describeEntry(entry('old-sensor', 400, 365))).toBe('old-sensor: key 400 days old, rotate every 365 days, overdue by 35 days');
    expect(describeEntry(entry('gateway', 89, 90, 'staged'))).toBe('gateway: key 89 days old, rotate every 90 days, due in 1 day, rotation staged');
    expect(describeEntry(entry('lab', 0, null))).toBe('lab: key 0 days old, no rotation policy');
  });

  it('draws an empty schedule without dividing by zero', () => {
    const data = timeline([], NOW);
    expect(data.end).toBeGreaterThan(data.start);
    expect(data.order).toEqual([]);
    expect(barsOf(data)).toEqual([]);
    expect(Number.isFinite(data.today)).toBe(true);
  });
});
