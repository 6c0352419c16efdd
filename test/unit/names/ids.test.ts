// Ids: a prefix and 12 random hex digits, drawn from a pool of random bytes refilled as it runs
// out; across refills they stay well-formed and do not repeat.
import { describe, expect, it } from 'vitest';
import { newId } from '../../../src-main/core/names.js';

describe('newId', () => {
  it('gives a prefix and 12 hex digits, and no id twice across pool refills', () => {
    const ids = Array.from({ length: 3000 }, () => newId('dev'));
    for (const id of ids) expect(id).toMatch(/^dev_[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
