import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z85Decode, z85Encode } from '../../../src-main/core/curve/z85.js';
import { InvalidKeyError } from '../../../src-main/core/errors.js';

describe('Z85 (ZeroMQ RFC 32)', () => {
  it('encodes and decodes the RFC test vector', () => {
    const bytes = Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
    expect(z85Encode(bytes)).toBe('HelloWorld');
    expect(Array.from(z85Decode('HelloWorld'))).toEqual(Array.from(bytes));
  });

  it('round-trips any multiple of four bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }).filter((b) => b.length % 4 === 0), (bytes) => {
        expect(Array.from(z85Decode(z85Encode(bytes)))).toEqual(Array.from(bytes));
      }),
    );
  });

  it('refuses input that is not a multiple of four bytes', () => {
    expect(() => z85Encode(new Uint8Array(3))).toThrow(/multiple of 4 bytes, got 3/);
  });

  it('refuses text that is not a multiple of five characters', () => {
    expect(() => z85Decode('Hello1')).toThrow(InvalidKeyError);
    expect(() => z85Decode('Hello1')).toThrow(/multiple of 5 characters, got 6/);
  });

  it('names the position of a character outside the alphabet', () => {
    expect(() => z85Decode('Hello Worl')).toThrow(/invalid Z85 character " " at position 6/);
    expect(() => z85Decode('Hel"oWorld')).toThrow(/position 4/);
    expect(() => z85Decode('HelloWörld')).toThrow(/position 7/);
  });

  it('refuses a group above 0xFFFFFFFF and names it', () => {
    // '#####' is 84 * (85^4 + ... + 1) = 85^5 - 1, well above 2^32 - 1.
    expect(() => z85Decode('Hello#####')).toThrow(/positions 6-10 encodes a value above 0xFFFFFFFF/);
    expect(Array.from(z85Decode('%nSc0'))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(() => z85Decode('%nSc1')).toThrow(InvalidKeyError);
  });

  it('decodes into a buffer the caller gives and reuses, and refuses one of the wrong size', () => {
    const into = new Uint8Array(8);
    expect(z85Decode('HelloWorld', into)).toBe(into);
    expect(Array.from(into)).toEqual([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
    expect(Array.from(z85Decode('%nSc0%nSc0', into))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(() => z85Decode('HelloWorld', new Uint8Array(4))).toThrow(/10 characters decode to 8 bytes, not 4/);
  });
});
