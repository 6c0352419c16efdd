// The status area's messages without a DOM: failures in plain words (the code kept as data only),
// partial outcomes amber, never the success kind.
import { describe, expect, it } from 'vitest';
import { StatusCenter } from '../../../src-renderer/lib/status.svelte.js';

const callError = (code: string, message: string) => Object.assign(new Error(message), { name: 'CallError', code, channel: 'x.y' });

describe('StatusCenter', () => {
  it('words a failure plainly, with what was asked first, and keeps the code out of the text', () => {
    const status = new StatusCenter();
    status.error(callError('invalid-input', 'cannot read /tmp/curvekeep-upload-1/devices.csv: ENOENT'), 'Reading the file');
    const [message] = status.messages;
    expect(message).toMatchObject({ kind: 'error', code: 'invalid-input', text: 'Reading the file: Cannot read the file.' });
    expect(message!.text).not.toContain('invalid-input');
  });

  it('shows a partial outcome as a warning, which stays until dismissed', () => {
    const status = new StatusCenter();
    status.warn('1 device provisioned, 164 failed');
    expect(status.messages.map((m) => m.kind)).toEqual(['warn']);
    status.dismiss(status.messages[0]!.id);
    expect(status.messages).toEqual([]);
  });
});
