// Typed refusals of the staged rotation. Each carries the facts (`refusal`, a reason and its
// fields) and the steps that would take the rotation on (`next`, as data); the message is a plain
// sentence for logs and the API, and each face words the next steps its own way.
import type { RotationNextStep } from '../../common/rotation.js';
import { InvalidInputError, NotFoundError, RefusedError } from '../errors.js';

export type RotationRefusal =
  /** Stage (or revoke) refused: a pending key exists already. */
  | { readonly reason: 'in-progress'; readonly identity: string; readonly pendingGeneration: number; readonly stagedAt: string }
  /** Stage refused: the last rotation's previous key is still kept. */
  | { readonly reason: 'in-grace-period'; readonly identity: string; readonly previousGeneration: number; readonly graceUntil: string | null }
  /** Test or promote refused: nothing is staged. */
  | { readonly reason: 'no-pending-key'; readonly identity: string }
  /** A test record made with another key than the pending one. */
  | { readonly reason: 'not-the-pending-key'; readonly identity: string; readonly testedKey: string; readonly pendingKey: string }
  /** Promote refused: no passing live test recorded (last: the last test, if any). */
  | {
      readonly reason: 'untested';
      readonly identity: string;
      readonly last: { readonly endpoint: string; readonly at: string; readonly verdict: string } | null;
    }
  /** Finish refused: staged, not promoted yet. */
  | { readonly reason: 'not-promoted'; readonly identity: string }
  /** Finish refused: no previous key. */
  | { readonly reason: 'nothing-to-finish'; readonly identity: string }
  /** Finish refused: the grace period still runs. */
  | { readonly reason: 'grace-period-runs'; readonly identity: string; readonly graceUntil: string }
  /** Rollback refused: the promoted key was revoked meanwhile. */
  | { readonly reason: 'no-current-key'; readonly identity: string }
  /** Rollback refused: the last rotation was finished; the old secret is gone. */
  | { readonly reason: 'finished-already'; readonly identity: string; readonly retiredGeneration: number; readonly retiredAt: string | null }
  /** Rollback refused: no rotation under way. */
  | { readonly reason: 'nothing-to-roll-back'; readonly identity: string }
  /** Revoke refused: that generation is revoked already. */
  | { readonly reason: 'revoked-already'; readonly identity: string; readonly generation: number }
  /** Revoke refused without force: it is the current key. */
  | { readonly reason: 'current-key'; readonly identity: string; readonly generation: number };

export type RotationRefusalReason = RotationRefusal['reason'];

function sentence(r: RotationRefusal): string {
  switch (r.reason) {
    case 'in-progress':
      return `${r.identity} has a rotation in progress already (pending generation ${r.pendingGeneration}, staged ${r.stagedAt}); promote it or roll it back first`;
    case 'in-grace-period':
      return `${r.identity} is still in the grace period of its last rotation (generation ${r.previousGeneration} is kept until ${r.graceUntil ?? 'finished'}); finish it or roll it back first`;
    case 'no-pending-key':
      return `${r.identity} has no pending key; stage a rotation first`;
    case 'not-the-pending-key':
      return `that test was made with key ${r.testedKey}, not with the pending key of ${r.identity} (${r.pendingKey}); it is not recorded`;
    case 'untested': {
      const last = r.last ? `its last test against ${r.last.endpoint} at ${r.last.at} said ${r.last.verdict}` : 'it has not been tested';
      return `the pending key of ${r.identity} has no passing live test (${last}); test it first, or promote it anyway, forced`;
    }
    case 'not-promoted':
      return `${r.identity}'s rotation is not promoted yet; promote it first`;
    case 'nothing-to-finish':
      return `${r.identity} has no previous key to retire: no rotation is in progress`;
    case 'grace-period-runs':
      return `the grace period of ${r.identity}'s previous key runs until ${r.graceUntil}; peers that have not switched yet still use it. Finish after that, or now, forced`;
    case 'no-current-key':
      return `${r.identity} has no current key to roll back from (it was revoked); stage a new rotation instead`;
    case 'finished-already':
      return (
        `the last rotation of ${r.identity} was finished${r.retiredAt ? ` on ${r.retiredAt}` : ''}: generation ${r.retiredGeneration} is retired and its secret deleted, ` +
        'so there is no key to roll back to. To replace the current key, stage a new rotation'
      );
    case 'nothing-to-roll-back':
      return `${r.identity} has no rotation in progress; there is nothing to roll back`;
    case 'revoked-already':
      return `generation ${r.generation} of ${r.identity} is revoked already`;
    case 'current-key':
      return `generation ${r.generation} is ${r.identity}'s current key: revoking it leaves no usable key. Stage and promote a new key first, or revoke it anyway, forced`;
  }
}

/** A rotation step refused in this state. Code `refused` (exit 2), with the reason and its fields. */
export class RotationRefusedError extends RefusedError {
  readonly refusal: RotationRefusal;
  readonly next: ReadonlyArray<RotationNextStep>;

  constructor(refusal: RotationRefusal, next: ReadonlyArray<RotationNextStep> = []) {
    super(sentence(refusal));
    this.refusal = refusal;
    this.next = next;
  }
}

/** An identity has no key generation of that number. */
export class UnknownGenerationError extends NotFoundError {
  constructor(
    readonly identity: string,
    readonly generation: number,
  ) {
    super(`${identity} has no key generation ${generation}`);
  }
}

/** A grace period outside 0..max whole days. */
export class InvalidGraceDaysError extends InvalidInputError {
  constructor(
    readonly days: number,
    readonly max: number,
  ) {
    super(`the grace period must be a whole number of days from 0 to ${max}, got ${days}`);
  }
}
