// The one rotation vocabulary (src-main/common/rotation.ts), called as core, the CLI and the page
// call it: the stage from the key generations (with grace-over, which the page once missed), the
// next steps per stage, and due states at their edges.
import { describe, expect, it } from 'vitest';
import { LINK_VERDICTS, VERDICTS } from '../../../src-main/common/link.js';
import { DAY_MS } from '../../../src-main/common/time.js';
import {
  DUE_SOON_DAYS,
  type GenerationFacts,
  ROTATION_STAGES,
  daysUntil,
  dueState,
  nextSteps,
  rotationTestAdvice,
  rotationInProgress,
  rotationStage,
} from '../../../src-main/common/rotation.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const at = (days: number) => new Date(NOW.getTime() + days * DAY_MS).toISOString();

describe('rotationStage', () => {
  it.each<[string, GenerationFacts[], string]>([
    ['one current key', [{ state: 'current' }], 'idle'],
    ['a retired and a revoked key beside the current one', [{ state: 'retired' }, { state: 'revoked' }, { state: 'current' }], 'idle'],
    ['a pending key, untested', [{ state: 'current' }, { state: 'pending' }], 'staged'],
    ['a pending key whose last test failed', [{ state: 'current' }, { state: 'pending', lastTest: { verdict: 'rejected' } }], 'staged'],
    ['a pending key that passed', [{ state: 'current' }, { state: 'pending', lastTest: { verdict: 'ok' } }], 'tested'],
    ['promoted, grace running', [{ state: 'previous', graceUntil: at(1) }, { state: 'current' }], 'promoted'],
    ['promoted, grace ends this instant', [{ state: 'previous', graceUntil: NOW.toISOString() }, { state: 'current' }], 'grace-over'],
    ['promoted, grace over', [{ state: 'previous', graceUntil: at(-1) }, { state: 'current' }], 'grace-over'],
    ['promoted without a grace end (as the IPC view writes it: null)', [{ state: 'previous', graceUntil: null }, { state: 'current' }], 'promoted'],
  ])('%s: %s', (_name, generations, stage) => {
    expect(rotationStage(generations, NOW)).toBe(stage);
    // The page passes a number (Date.now()), core a Date: the same answer.
    expect(rotationStage(generations, NOW.getTime())).toBe(stage);
  });
});

describe('nextSteps', () => {
  it('gives every stage at least one step, the usual one first, and rollback whenever a rotation is under way', () => {
    for (const stage of ROTATION_STAGES) {
      const steps = nextSteps('gw', stage);
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.every((s) => s.identity === 'gw')).toBe(true);
      expect(steps.some((s) => s.action === 'rollback')).toBe(rotationInProgress(stage));
    }
    expect(nextSteps('gw', 'idle')).toEqual([{ action: 'stage', identity: 'gw' }]);
    expect(nextSteps('gw', 'tested')[0]).toEqual({ action: 'promote', identity: 'gw' });
    expect(nextSteps('gw', 'grace-over')[0]).toEqual({ action: 'finish', identity: 'gw' });
  });

  it('dates a finish during the grace period by its end', () => {
    expect(nextSteps('gw', 'promoted', [{ state: 'previous', graceUntil: at(3) }, { state: 'current' }])[0]).toEqual({ action: 'finish', identity: 'gw', after: at(3) });
  });
});

describe('dueState and daysUntil', () => {
  it.each<[string, Date | null, string]>([
    ['no policy', null, 'never'],
    ['due this instant', NOW, 'overdue'],
    ['a day ago', new Date(at(-1)), 'overdue'],
    ['in a minute', new Date(NOW.getTime() + 60_000), 'due-soon'],
    [`in exactly ${DUE_SOON_DAYS} days`, new Date(at(DUE_SOON_DAYS)), 'due-soon'],
    [`a minute after ${DUE_SOON_DAYS} days`, new Date(NOW.getTime() + DUE_SOON_DAYS * DAY_MS + 60_000), 'ok'],
  ])('%s: %s', (_name, due, state) => {
    expect(dueState(due, NOW)).toBe(state);
  });

  it('counts whole days, rounded down, negative when overdue', () => {
    expect(daysUntil(new Date(at(2.9)), NOW)).toBe(2);
    expect(daysUntil(new Date(at(-0.1)), NOW)).toBe(-1);
  });
});

describe('rotationTestAdvice', () => {
  it("a server key's endpoint presenting the current key asks for a listener with the pending key, not for a peer's key", () => {
    const advice = rotationTestAdvice('server-presents', 'wrong-server-key');
    expect(advice?.hint).toMatch(/still presents the current key: start a listener with the pending key/);
    expect(advice?.next).toMatch(/^This endpoint still presents the current key/);
    expect(advice?.hint).not.toBe(VERDICTS['wrong-server-key'].hint);
  });

  it('a refused pending client key asks for it to be handed out', () => {
    expect(rotationTestAdvice('client-admitted', 'rejected')?.hint).toMatch(/does not admit the pending key yet: hand it out/);
  });

  it("leaves every other verdict to the link test's own advice, and an unknown verdict too", () => {
    const worded = LINK_VERDICTS.flatMap((v) => (['server-presents', 'client-admitted'] as const).filter((p) => rotationTestAdvice(p, v) !== null).map((p) => `${p}:${v}`));
    expect(worded).toEqual(['server-presents:wrong-server-key', 'client-admitted:rejected']);
    expect(rotationTestAdvice('server-presents', 'no-such-verdict')).toBeNull();
  });
});
