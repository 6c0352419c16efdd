// Issue 9: exit codes live in the CLI, not in core; core's store and errors carry no command text.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from '../../../src-main/core/errors.js';
import { exitCodeFor, phrase } from '../../../src-main/cli/errors.js';

const root = new URL('../../../', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('typed errors and their exit codes', () => {
  it('maps each core error code to the exit code of CLI.md', () => {
    const f = { file: 'x', revision: 1, sealedRevision: 2 };
    expect(exitCodeFor(new errors.InvalidInputError('x'))).toBe(2);
    expect(exitCodeFor(new errors.InvalidKeyError('x'))).toBe(2);
    expect(exitCodeFor(new errors.NotFoundError('x'))).toBe(2);
    expect(exitCodeFor(new errors.RefusedError('x'))).toBe(2);
    expect(exitCodeFor(new errors.NetworkError('x'))).toBe(1);
    for (const e of [
      new errors.KeychainUnavailableError('x'),
      new errors.KeychainLockedError('x'),
      new errors.DataFolderError('x'),
      new errors.StoreCorruptError('x'),
      new errors.StoreTamperedError('x'),
      new errors.StoreRolledBackError('x', f),
      new errors.StoreMissingError('x', { file: 'x', sealedRevision: 3 }),
      new errors.StoreBusyError('x'),
      new errors.AuditKeyMissingError('x'),
    ]) {
      expect(exitCodeFor(e), e.code).toBe(3);
    }
  });

  it('keeps exit codes and dead classes out of core', () => {
    expect('exitCode' in new errors.InvalidInputError('x')).toBe(false);
    expect('CheckFailedError' in errors).toBe(false);
  });

  it('lets the CLI add the command to run, and core carry fields instead', () => {
    const e = new errors.StoreRolledBackError('curvekeep.json was rolled back', { file: 'curvekeep.json', revision: 3, sealedRevision: 5 });
    expect(e.message).not.toMatch(/curvekeep [a-z]/);
    expect(e.fields).toEqual({ file: 'curvekeep.json', revision: 3, sealedRevision: 5 });
    expect(phrase(e)).toMatch(/curvekeep store reseal/);
    expect(phrase(new errors.StoreTamperedError('changed outside Curvekeep'))).toMatch(/curvekeep store reseal/);
  });

  it('finds no command text in core/store, core/errors.ts or keychain/', () => {
    const sources = [...files('src-main/core/store'), 'src-main/core/errors.ts', ...files('src-main/keychain')];
    const offenders = sources.filter((file) => /curvekeep [a-z]/.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
