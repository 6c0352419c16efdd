// Core says "allow overwriting"; on the command line that is --force.
import { isCurvekeepError, RefusedError } from '../core/errors.js';

export async function withForceHint<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isCurvekeepError(error) && error.code === 'not-owned') {
      throw new RefusedError(error.message.replace(/\(allow overwriting to replace them\)$/, '(--force replaces them)'));
    }
    throw error;
  }
}

/** "left N file(s) Curvekeep did not write: a, b" for the files an export left alone, or nothing. */
export function leftLine(left: ReadonlyArray<string>): string[] {
  if (!left.length) return [];
  const names = left.map((p) => p.replace(/^.*[\\/]/, ''));
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? `, and ${names.length - 10} more` : '');
  return [`left ${left.length} file(s) Curvekeep did not write: ${shown}`];
}
