// The timeline chart's geometry and its text alternative, without a DOM.
import { describe, expect, it } from 'vitest';
import type { RotationStage } from '../../../src-main/common/rotation.js';
import { type ScheduleEntry, describeEntry, timeline } from '../../../src-renderer/views/timeline/timeline-bars.js';

function entry(name: string, ageDays: number, rotateEveryDays: number | null, stage: RotationStage = 'idle'): ScheduleEntry {
  const daysLeft = rotateEveryDays === null ? null : rotateEveryDays - ageDays;
  const due = daysLeft === null ? 'never' : daysLeft < 0 ? 'overdue' : daysLeft <= 14 ? 'due-soon' : 'ok';
  return { id: `id_${name}`, name, ageDays, rotateEveryDays, daysLeft, due, stage };
}

describe('timeline', () => {
  it('puts every bar on one scale that holds the oldest key and the longest period', () => {
    const data = timeline([entry('gateway', 40, 90), entry('old-sensor', 400, 365), entry('lab', 3, null)]);
    expect(data.spanDays).toBe(440);
    const sensor = data.bars.find((b) => b.name === 'old-sensor')!;
    expect(sensor.age).toBeCloseTo(400 / 440);
    expect(sensor.period).toBeCloseTo(365 / 440);
    expect(data.bars.find((b) => b.name === 'lab')!.period).toBeNull();
    expect(data.ticks[0]).toEqual({ at: 0, days: 0 });
    expect(data.ticks.length).toBeLessThanOrEqual(9);
    expect(data.ticks.every((t) => t.at <= 1)).toBe(true);
  });

  it('orders most overdue first and keys without a policy last', () => {
    const data = timeline([entry('lab', 3, null), entry('gateway', 40, 90), entry('old-sensor', 400, 365), entry('door', 85, 90)]);
    expect(data.bars.map((b) => b.name)).toEqual(['old-sensor', 'door', 'gateway', 'lab']);
  });

  it('says in words what each bar shows', () => {
    expect(describeEntry(entry('old-sensor', 400, 365))).toBe('old-sensor: key 400 days old, rotate every 365 days, overdue by 35 days');
    expect(describeEntry(entry('gateway', 89, 90, 'staged'))).toBe('gateway: key 89 days old, rotate every 90 days, due in 1 day, rotation staged');
    expect(describeEntry(entry('lab', 0, null))).toBe('lab: key 0 days old, no rotation policy');
  });

  it('draws an empty schedule without dividing by zero', () => {
    const data = timeline([]);
    expect(data.spanDays).toBeGreaterThan(0);
    expect(data.bars).toEqual([]);
  });
});
