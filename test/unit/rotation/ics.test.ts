// The iCalendar writer: RFC 5545 structure, CRLF, folding at 75 octets, TEXT escaping; parsed back
// with ical.js as a calendar application would.
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import type { PublicKey } from '../../../src-main/core/curve/keys.js';
import { calendarStep } from '../../../src-main/cli/commands/rotation.js';
import { type DueItem, escapeIcsText, foldIcsLine, formatIcs as formatWith } from '../../../src-main/core/rotation/schedule.js';

// The CLI's calendar: each event's next step worded as the command to run.
const formatIcs = (items: ReadonlyArray<DueItem>, now: Date) => formatWith(items, now, calendarStep);

const item = (over: Partial<DueItem>): DueItem => ({
  id: 'id_0001',
  name: 'gateway-07',
  role: 'server',
  generation: 3,
  publicKey: 'Q1HAcTIqS]15yPNb77BrV-o#RCKf4K(y@-4I%4t^' as PublicKey,
  ageDays: 335,
  rotateEveryDays: 365,
  dueAt: '2027-02-03T10:00:00.000Z',
  due: 'ok',
  overdue: false,
  daysLeft: 30,
  stage: 'idle',
  graceUntil: null,
  ...over,
});

describe('formatIcs', () => {
  const now = new Date('2026-12-24T18:30:05Z');
  const text = formatIcs(
    [item({}), item({ id: 'id_0002', name: 'sensor,1;a\\b', role: 'device', generation: 1, dueAt: '2026-12-01T00:00:00.000Z', overdue: true, stage: 'promoted', graceUntil: '2026-12-30T12:00:00.000Z' })],
    now,
  );

  it('uses CRLF line ends only, and no line is longer than 75 octets', () => {
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  });

  it('parses back with ical.js: one event per due date, stable UIDs, all-day dates, escaped text', () => {
    const calendar = new ICAL.Component(ICAL.parse(text));
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    const events = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(events.map((e) => e.summary)).toEqual(['Rotate gateway-07', 'Rotate sensor,1;a\\b', 'Finish rotation of sensor,1;a\\b']);
    expect(events.map((e) => e.uid)).toEqual(['rotate-id_0001-gen3@curvekeep', 'rotate-id_0002-gen1@curvekeep', 'finish-id_0002-gen1@curvekeep']);
    expect(events[0]!.startDate.isDate).toBe(true);
    expect(events[0]!.startDate.toString()).toBe('2027-02-03');
    expect(events[2]!.startDate.toString()).toBe('2026-12-30');
    expect(events[1]!.description).toContain('Run: curvekeep rotate sensor,1;a\\b --stage');
    expect(events[1]!.description.split('\n')).toHaveLength(2);
    const stamp = calendar.getAllSubcomponents('vevent')[0]!.getFirstPropertyValue('dtstamp') as ICAL.Time;
    expect(stamp.toJSDate().toISOString()).toBe('2026-12-24T18:30:05.000Z');
  });

  it('gives the same UID on every export, so a re-import updates instead of duplicating', () => {
    expect(formatIcs([item({})], new Date()).match(/UID:.*/)![0]).toBe(formatIcs([item({})], now).match(/UID:.*/)![0]);
  });
});

describe('escaping and folding', () => {
  it('escapes backslash, semicolon, comma and line breaks', () => {
    expect(escapeIcsText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
  });

  it('folds at 75 octets without splitting a UTF-8 character', () => {
    const line = `DESCRIPTION:${'é'.repeat(100)}`;
    const folded = foldIcsLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
  });
});

describe('formatIcs of a rotation already under way (issue 12)', () => {
  const now = new Date('2026-12-24T18:30:05Z');
  const events = (stage: DueItem['stage']) => {
    const calendar = new ICAL.Component(ICAL.parse(formatIcs([item({ stage })], now)));
    return calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
  };

  it('a staged key says what is next (distribute, test, promote), not to stage it', () => {
    const [event] = events('staged');
    expect(event!.summary).toBe('Continue rotation of gateway-07 (staged)');
    expect(event!.description).not.toContain('--stage');
    expect(event!.description).toContain('Run: curvekeep rotate gateway-07 --distribute --out DIR');
    expect(event!.description).toContain('Run: curvekeep rotate gateway-07 --test');
    expect(event!.description).toContain('Run: curvekeep rotate gateway-07 --promote');
  });

  it('a tested key says promote next', () => {
    const [event] = events('tested');
    expect(event!.description).not.toContain('--stage');
    expect(event!.description).toContain('Run: curvekeep rotate gateway-07 --promote');
  });

  it('an idle key still says stage', () => {
    expect(events('idle')[0]!.description).toContain('Run: curvekeep rotate gateway-07 --stage');
  });
});
