// Choice lists over thousands of items: a window of the matching ones, the chosen one always in
// it, and a line that says how many match.
import { describe, expect, it } from 'vitest';
import { CHOICES_SHOWN, choiceWindow, searchMatcher, windowNote } from '../../../src-renderer/lib/choice-window.js';

const names = Array.from({ length: 10_000 }, (_, i) => `broker-${String(i).padStart(5, '0')}`);
const same = (n: string) => n;

describe('choiceWindow', () => {
  it('holds the first CHOICES_SHOWN matching items in order and counts every match', () => {
    const all = choiceWindow(names, '', () => false, same);
    expect(all.shown).toEqual(names.slice(0, CHOICES_SHOWN));
    expect(all.matching).toBe(10_000);
    const some = choiceWindow(names, 'broker-042', () => false, same);
    expect(some.shown).toEqual(names.slice(4200, 4250));
    expect(some.matching).toBe(100);
  });

  it('keeps the chosen item first when the search or the window leaves it out', () => {
    expect(choiceWindow(names, 'broker-0000', (n) => n === 'broker-09999', same).shown[0]).toBe('broker-09999');
    expect(choiceWindow(names, '', (n) => n === 'broker-09999', same).shown).toHaveLength(CHOICES_SHOWN + 1);
    expect(choiceWindow(names, '', (n) => n === 'broker-00003', same).shown).toHaveLength(CHOICES_SHOWN);
  });

  it('matches ignoring case and the spaces around the search', () => {
    const match = searchMatcher('  BROKER-0999 ');
    expect(match('broker-09990')).toBe(true);
    expect(match('broker-19990')).toBe(false);
    expect(searchMatcher('')('anything')).toBe(true);
  });
});

describe('windowNote', () => {
  const peers = { one: 'peer', many: 'peers' };
  it('says whether the list shows every match', () => {
    expect(windowNote(10_000, '', peers)).toBe(`The list shows the first ${CHOICES_SHOWN} of 10000 peers: type more of a name to narrow it.`);
    expect(windowNote(100, 'broker', peers)).toBe(`The list shows the first ${CHOICES_SHOWN} of 100 peers that match: type more of a name to narrow it.`);
    expect(windowNote(3, 'b', peers)).toBe('3 peers match.');
    expect(windowNote(1, 'b', peers)).toBe('One peer matches.');
    expect(windowNote(0, ' zz ', peers)).toBe('No peer matches “zz”.');
  });
});
