// The link-test verdicts of ARCHITECTURE.md section 6, with what the tech does next.
import type { Mechanism } from './zmtp-greeting.js';

export const LINK_VERDICTS = [
  'ok', 'unreachable', 'timeout', 'not-zmtp', 'plaintext', 'plain-auth',
  'wrong-server-key', 'rejected', 'auth-error', 'socket-mismatch',
] as const;
export type LinkVerdict = (typeof LINK_VERDICTS)[number];

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
  /** What was seen, for a person who wants to know why. */
  readonly detail: string;
}

export const VERDICT_HINTS: Readonly<Record<LinkVerdict, string>> = {
  ok: 'nothing to do: the link is encrypted and accepts this key',
  unreachable: 'check the address, the port and the firewall',
  timeout: 'the peer is overloaded or filtered; try again, or check what listens on that port',
  'not-zmtp': 'wrong port: what answers there is not ZeroMQ',
  plaintext: 'enable CURVE on the peer: its traffic is unencrypted (NULL mechanism)',
  'plain-auth': 'enable CURVE on the peer: PLAIN sends passwords in clear text',
  'wrong-server-key': "re-import the peer's current public key: the server key we hold is not the peer's",
  rejected: "add our public key to the peer's allowlist",
  'auth-error': "peer-side problem: the peer's authenticator failed",
  'socket-mismatch': 'choose the matching socket type (--socket-type)',
};

/** Exit status of `curvekeep test`: 0 only for `ok`. */
export function isPassing(result: Pick<LinkResult, 'verdict'>): boolean {
  return result.verdict === 'ok';
}
