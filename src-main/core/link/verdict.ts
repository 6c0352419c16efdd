// The result of a link test. The verdicts, their texts and next actions are shared words
// (common/link.ts); this is what a test found.
import { type LinkNextAction, type LinkVerdict, LINK_VERDICTS, VERDICTS } from '../../common/link.js';
import type { Mechanism } from './zmtp-greeting.js';

export { LINK_VERDICTS, type LinkNextAction, type LinkVerdict };

export interface LinkResult {
  readonly verdict: LinkVerdict;
  /** The endpoint tested, normalised (`tcp://host:port`). */
  readonly endpoint: string;
  /** The mechanism the peer greeted with, when it greeted. */
  readonly mechanism?: Mechanism;
  /** Milliseconds from the start of the test to the completed CURVE handshake. */
  readonly handshakeMs?: number;
  /** Round trip of one message, when the peer echoes. */
  readonly rttMs?: number;
  /** What to do next, for a person. */
  readonly hint: string;
  /** What to do next, as data the faces phrase (a flag, a button). */
  readonly next: LinkNextAction;
  /** What was seen, for a person who wants to know why. */
  readonly detail: string;
}

/** The hint of each verdict when the test found nothing more specific. */
export const VERDICT_HINTS: Readonly<Record<LinkVerdict, string>> = Object.fromEntries(
  LINK_VERDICTS.map((verdict) => [verdict, VERDICTS[verdict].hint]),
) as Record<LinkVerdict, string>;
