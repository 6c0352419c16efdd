// The page's plain sentences for failures: no internal code, no path, no parser or command text.
import { describe, expect, it } from 'vitest';
import { COMMAND_LINE, fixArticles, plainError } from '../../../src-renderer/lib/plain-errors.js';

/** As the contract client throws it (a CallError: an Error with the call's code). */
const call = (code: string, message: string) => Object.assign(new Error(message), { name: 'CallError', code, channel: 'x.y' });

/** What no sentence may hold, whatever the input. */
function expectPlain(text: string): void {
  expect(text).not.toMatch(/invalid-input|not-found|keychain-locked|bridge-unreachable|\binternal\b/);
  expect(text).not.toMatch(/(?:^|\s)\/(?:tmp|home|var|Users)\//);
  expect(text).not.toMatch(/[A-Za-z]:\\/);
  expect(text).not.toMatch(/column \d|line \d|position \d/i);
  expect(text).not.toMatch(COMMAND_LINE);
  expect(text).not.toMatch(/--[a-z]|npm run/);
  expect(text).not.toMatch(/`/);
  expect(text).toMatch(/^[A-Z]/);
  expect(text).toMatch(/[.!?]$/);
}

describe('plainError', () => {
  it('never shows the internal code, and words environment codes as what to do', () => {
    const text = plainError(call('keychain-locked', 'the keychain is locked (service curvekeep)'));
    expect(text).toBe('The keychain is locked. Unlock your keyring and try again; nothing was changed.');
    expectPlain(text);
    const internal = plainError(call('internal', 'Curvekeep could not finish this because of an internal error'));
    expect(internal).not.toContain('internal error');
    expectPlain(internal);
  });

  it('keeps the useful part of a core message and drops command-line hints', () => {
    const text = plainError(call('refused', 'a secret export goes to a file: give --out PATH (it is written with mode 0600)'));
    expect(text).toBe('A secret export goes to a file: it is written with mode 0600.');
    expectPlain(text);
  });

  it('replaces paths of ours and drops errno codes', () => {
    const text = plainError(call('invalid-input', 'cannot read /tmp/curvekeep-upload-3f9a/devices.csv: EACCES'));
    expect(text).toBe('Cannot read the file.');
    const csv = plainError(call('invalid-input', '/home/op/.config/Curvekeep/tmp/x.csv is not valid CSV: Invalid Record Length: expect 3, got 2 on line 4'));
    expect(csv).toBe('The file is not valid CSV.');
    expectPlain(csv);
    const win = plainError(new Error('no such file: C:\\Users\\op\\AppData\\Roaming\\Curvekeep\\x.key'));
    expect(win).toBe('No such file.');
  });

  it('turns parser text into a plain sentence: a Wi-Fi QR is a Wi-Fi code, not a ZeroMQ key', () => {
    const wifi = plainError(call('invalid-input', 'unexpected character at column 5 after the name WIFI'));
    expect(wifi).toMatch(/^This is a Wi-Fi code, not a ZeroMQ key\./);
    expectPlain(wifi);
    const parser = plainError(call('invalid-input', 'unexpected character at column 5'));
    expect(parser).toBe('Curvekeep could not use what was entered. Check it and try again.');
    const js = plainError(new SyntaxError('Unexpected token } in JSON at position 12'));
    expect(js).toBe('That did not work. Please try again; if it keeps failing, report it.');
  });

  it('never shows command text from the transport', () => {
    const text = plainError(call('bridge-unreachable', 'the Curvekeep bridge does not answer; is `npm run web` still running?'));
    expectPlain(text);
    expect(text).toContain('Reload the page');
  });

  it('keeps network messages that name the address, and prefixes what the user asked for', () => {
    const text = plainError(call('network', 'connection to 127.0.0.1:9 refused: nothing listens there (check the address and port)'), 'Checking the pins');
    expect(text).toBe('Checking the pins: Connection to 127.0.0.1:9 refused: nothing listens there: check the address and port.');
  });

  it('has a useful sentence when nothing is known', () => {
    expect(plainError(undefined)).toBe('That did not work. Please try again; if it keeps failing, report it.');
    expect(plainError(call('duplicate-name', ''))).toBe('That name is taken already. Choose another one.');
    expect(plainError(call('some-new-code', 'the batch b-7 has no rows left'))).toBe('The batch b-7 has no rows left.');
  });
});

describe('COMMAND_LINE', () => {
  it('finds command text and leaves prose about Curvekeep alone', () => {
    expect('Next: curvekeep rotate edge-gw-07 --distribute --out DIR').toMatch(COMMAND_LINE);
    expect('run curvekeep status').toMatch(COMMAND_LINE);
    expect('Curvekeep runs again; Curvekeep test keys are kept').not.toMatch(COMMAND_LINE);
  });
});

describe('fixArticles', () => {
  it('writes "an identity" and leaves "a one-time key" and "a user" alone', () => {
    expect(fixArticles('a identity named x; A identity')).toBe('an identity named x; An identity');
    expect(fixArticles('a one-time key for a user')).toBe('a one-time key for a user');
    expect(fixArticles('a peer')).toBe('a peer');
  });
});
