// The greeting parser: real greetings, the ways a non-ZMTP peer differs, and fuzzing.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GREETING_LENGTH, GREETING_PREFIX, describeBytes, parseGreeting } from '../../../src-main/core/link/zmtp-greeting.js';

function greeting(mechanism: string, asServer: boolean, minor = 0): Uint8Array {
  const bytes = new Uint8Array(GREETING_LENGTH);
  bytes.set([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, minor]);
  bytes.set(Buffer.from(mechanism, 'ascii'), 12);
  bytes[32] = asServer ? 1 : 0;
  return bytes;
}

describe('parseGreeting', () => {
  test('reads the version, mechanism and role of ZMTP 3 greetings', () => {
    expect(parseGreeting(greeting('CURVE', true, 1))).toEqual({ status: 'zmtp', version: '3.1', mechanism: 'CURVE', asServer: true });
    expect(parseGreeting(greeting('NULL', false))).toEqual({ status: 'zmtp', version: '3.0', mechanism: 'NULL', asServer: false });
    expect(parseGreeting(greeting('PLAIN', true))).toMatchObject({ mechanism: 'PLAIN' });
    expect(parseGreeting(greeting('GSSAPI', false))).toMatchObject({ mechanism: 'GSSAPI' });
  });

  test('says how many bytes it needs while a greeting is incomplete', () => {
    const full = greeting('CURVE', true);
    expect(parseGreeting(new Uint8Array())).toEqual({ status: 'need-more', needed: 1 });
    expect(parseGreeting(full.subarray(0, 5))).toEqual({ status: 'need-more', needed: 10 });
    expect(parseGreeting(full.subarray(0, 10))).toEqual({ status: 'need-more', needed: 11 });
    expect(parseGreeting(full.subarray(0, 40))).toEqual({ status: 'need-more', needed: GREETING_LENGTH });
  });

  test('refuses what is not ZMTP 3 as early as it can, saying why', () => {
    expect(parseGreeting(Buffer.from('HTTP/1.1 400'))).toMatchObject({ status: 'not-zmtp', reason: expect.stringContaining('0x48') });
    expect(parseGreeting(Uint8Array.from([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7e]))).toMatchObject({ status: 'not-zmtp' });
    const lower = greeting('curve', true);
    expect(parseGreeting(lower)).toMatchObject({ status: 'not-zmtp', reason: expect.stringContaining('mechanism') });
    const gap = greeting('CUR', true);
    gap[16] = 0x56; // a letter after the zero padding started
    expect(parseGreeting(gap)).toMatchObject({ status: 'not-zmtp' });
    expect(parseGreeting(greeting('', true))).toMatchObject({ status: 'not-zmtp', reason: expect.stringContaining('empty') });
    const role = greeting('NULL', true);
    role[32] = 7;
    expect(parseGreeting(role)).toMatchObject({ status: 'not-zmtp', reason: expect.stringContaining('as-server') });
  });

  test('a ZMTP 2.0 peer (libzmq 3.x) is ZMTP without security', () => {
    expect(parseGreeting(Uint8Array.from([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, 5]))).toEqual({ status: 'zmtp', version: '2.0', mechanism: 'NULL', asServer: false });
  });

  test('our own prefix is a valid start of a greeting', () => {
    expect(parseGreeting(GREETING_PREFIX)).toEqual({ status: 'need-more', needed: GREETING_LENGTH });
  });

  test('fuzz: any bytes give a result and never an exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const parsed = parseGreeting(bytes);
      expect(['zmtp', 'not-zmtp', 'need-more']).toContain(parsed.status);
      if (parsed.status === 'need-more') expect(parsed.needed).toBeGreaterThan(bytes.length);
      if (parsed.status === 'need-more') expect(parsed.needed).toBeLessThanOrEqual(GREETING_LENGTH);
    }), { numRuns: 2000 });
  });

  test('fuzz: near-greetings (valid signature, random rest) are decided from at most 64 bytes', () => {
    const nearGreeting = fc.tuple(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 54, maxLength: 300 }))
      .map(([padding, rest]) => Uint8Array.from([0xff, ...padding, 0x7f, ...rest]));
    fc.assert(fc.property(nearGreeting, (bytes) => {
      const whole = parseGreeting(bytes);
      expect(whole.status).not.toBe('need-more');
      // Only the first 64 bytes matter: the parser never looks further.
      expect(parseGreeting(bytes.subarray(0, GREETING_LENGTH))).toEqual(whole);
    }), { numRuns: 2000 });
  });

  test('fuzz: a greeting cut anywhere asks for more, and never decides differently once complete', () => {
    const mechanisms = fc.constantFrom('NULL', 'PLAIN', 'CURVE', 'GSSAPI', 'X-TEST.1+2_3');
    fc.assert(fc.property(mechanisms, fc.boolean(), fc.integer({ min: 0, max: 63 }), (mechanism, asServer, cut) => {
      const full = greeting(mechanism, asServer);
      expect(parseGreeting(full.subarray(0, cut)).status).toBe('need-more');
      expect(parseGreeting(full)).toMatchObject({ status: 'zmtp', mechanism, asServer });
    }), { numRuns: 500 });
  });

  test('fuzz: describeBytes stays short whatever it is given', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100_000 }), (bytes) => {
      expect(describeBytes(bytes).length).toBeLessThanOrEqual(24 * 3 + 8);
    }), { numRuns: 200 });
  });
});
