// Messages the app shows say "an identity", never "a identity".
import { describe, expect, it } from 'vitest';
import { assertNameFree } from '../../../src-main/core/names.js';

describe('assertNameFree', () => {
  it('words the refusal with the right article', () => {
    const taken = [{ id: 'i1', name: 'gateway-07' }];
    expect(() => assertNameFree(taken, 'gateway-07', 'identity')).toThrow(/^an identity named "gateway-07" exists already/);
    expect(() => assertNameFree(taken, 'gateway-07', 'peer')).toThrow(/^a peer named "gateway-07" exists already/);
    expect(() => assertNameFree(taken, 'other', 'identity')).not.toThrow();
  });
});
