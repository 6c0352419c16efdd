// Names become file names in exports and bundles (NAME.key, NAME.key_secret, devices/NAME/), so a
// name is checked against every OS's rules when an identity, peer or device is created (issue 10,
// finding 8): what is accepted can always be exported, on Linux, macOS and Windows.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { checkName } from '../../../src-main/core/names.js';

describe('checkName', () => {
  it.each([
    ['a..b', /two dots in a row/],
    ['NUL', /reserved.*Windows/],
    ['nul', /reserved.*Windows/],
    ['con.txt', /reserved.*Windows/],
    ['COM1', /reserved.*Windows/],
    ['lpt9.key', /reserved.*Windows/],
    ['Aux.tar.gz', /reserved.*Windows/],
    ['prn', /reserved.*Windows/],
    ['trailing.', /ends with a dot/],
    ['a/b', /"\/"/],
    ['a\\b', /"\\\\"/],
    ['../etc', /"\/"|starts with/],
    ['tab\there', /control character/],
    ['bell\u0007', /control character/],
    ['a:b', /":"/],
    ['a*b', /"\*"/],
    ['a?b', /"\?"/],
    ['a"b', /"\\""/],
    ['a<b>', /"<"/],
    ['a|b', /"\|"/],
    ['.hidden', /starts with/],
    ['-flag', /starts with/],
    ['', /empty/],
    ['x'.repeat(129), /128/],
    ['wide space', /" "/],
    ['café', /"é"/],
  ])('refuses %j, naming the problem', (name, problem) => {
    let error: unknown;
    try {
      checkName(name, 'device');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/^device name /);
    expect((error as Error).message).toMatch(problem);
  });

  it.each(['gateway-07', 'sensor.0042', 'a.b.c', 'Nullable', 'console', 'com10', 'lpt', 'ops@site+2', 'x'.repeat(128), 'con-1'])('accepts %j', (name) => {
    expect(checkName(name, 'peer')).toBe(name);
  });

  it('trims surrounding spaces: the stored name never ends in one', () => {
    expect(checkName('  gateway  ', 'identity')).toBe('gateway');
  });
});
