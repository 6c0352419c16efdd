// Many link tests at once (every peer with an endpoint, or a list): bounded concurrency, results
// in the order given, progress as each one finishes.
import { parsePublicKey } from '../curve/keys.js';
import { InvalidInputError } from '../errors.js';
import { type LinkTestOptions, testLink } from './curve-test.js';
import { parseEndpoint } from './endpoint.js';
import type { LinkResult } from './verdict.js';

import { DEFAULT_SWEEP_CONCURRENCY, MAX_SWEEP_CONCURRENCY } from '../../common/link.js';

export { DEFAULT_SWEEP_CONCURRENCY };

export interface SweepProgress<T> {
  readonly done: number;
  readonly total: number;
  readonly target: T;
  readonly result: LinkResult;
}

export interface SweepOptions<T> {
  /** How many tests run at the same time (DEFAULT_SWEEP_CONCURRENCY unless given). */
  readonly concurrency?: number;
  readonly onProgress?: (progress: SweepProgress<T>) => void;
  readonly signal?: AbortSignal;
}

/**
 * Tests every target; the result at index i belongs to target i. Every target is checked before
 * the first connection, so bad input (an endpoint or key that does not parse) changes nothing.
 */
export async function sweepLinks<T extends LinkTestOptions>(targets: ReadonlyArray<T>, options: SweepOptions<T> = {}): Promise<LinkResult[]> {
  const concurrency = options.concurrency ?? DEFAULT_SWEEP_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_SWEEP_CONCURRENCY) {
    throw new InvalidInputError(`concurrency ${concurrency} is not a whole number between 1 and ${MAX_SWEEP_CONCURRENCY}`);
  }
  targets.forEach((target, index) => {
    try {
      parseEndpoint(target.endpoint);
      parsePublicKey(target.serverKey, 'server key');
    } catch (error) {
      throw new InvalidInputError(`sweep target ${index + 1} (${target.endpoint}): ${(error as Error).message}`);
    }
  });
  options.signal?.throwIfAborted();

  const results = new Array<LinkResult>(targets.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      options.signal?.throwIfAborted();
      const index = next++;
      const target = targets[index]!;
      const result = await testLink({ ...target, ...(options.signal ? { signal: options.signal } : {}) });
      results[index] = result;
      done++;
      options.onProgress?.({ done, total: targets.length, target, result });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return results;
}

/** How many results have each verdict, in the order of first appearance. */
export function countVerdicts(results: ReadonlyArray<LinkResult>): ReadonlyArray<readonly [string, number]> {
  const counts = new Map<string, number>();
  for (const result of results) counts.set(result.verdict, (counts.get(result.verdict) ?? 0) + 1);
  return [...counts];
}
