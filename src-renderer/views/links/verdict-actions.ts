// What a verdict card offers as buttons, and its one "next step" sentence, decided without the
// DOM from the verdict, whom we tested as and what was tested (ARCHITECTURE.md section 6). A
// one-time key refused by an allowlist is no reason to add that key anywhere: the step is to test
// as our own identity.
import { type LinkSocketType, verdictInfo } from '../../../src-main/common/link.js';

export type VerdictActionId =
  | 'show-my-qr'
  | 'test-as-identity'
  | 'replace-peer-key'
  | 'open-peer'
  | 'open-identity'
  | 'open-allowlist'
  | 'retry'
  | 'retry-socket-type';

export interface VerdictAction {
  readonly id: VerdictActionId;
  readonly label: string;
  readonly socketType?: LinkSocketType;
}

export interface TestedResult {
  readonly verdict: string;
  readonly next: { readonly action: string; readonly socketType: LinkSocketType | null };
  readonly as: { readonly id: string | null; readonly name: string | null; readonly oneTime: boolean };
  readonly server: { readonly kind: 'peer' | 'identity' | 'key'; readonly id: string | null; readonly name: string | null };
}

/** Where the test was asked: a peer's detail, an own server identity's detail, or the Link tests view. */
export type TestPlace = 'peer' | 'identity' | 'links';

/** The next step, said once. */
export function nextStep(result: TestedResult): string {
  const info = verdictInfo(result.verdict);
  if (result.verdict === 'rejected') {
    if (result.as.oneTime) return 'A peer with an allowlist refuses every one-time key: test as your own client identity to check the allowlist.';
    const who = result.as.name ?? 'your identity';
    return result.server.kind === 'identity'
      ? `Put the public key of ${who} on the allowlist of ${result.server.name ?? 'this server'} (its allowed peers), then serve it again.`
      : `Ask the peer's admin to add the public key of ${who} to its allowlist.`;
  }
  if (result.verdict === 'wrong-server-key' && result.server.kind === 'identity') {
    return `The endpoint does not present the key of ${result.server.name ?? 'this identity'}: check what listens there, or its rotation.`;
  }
  if (result.verdict === 'socket-mismatch' && result.next.socketType) return `The peer talks to a ${result.next.socketType.toUpperCase()} socket: test again with it.`;
  return info.next;
}

/** The buttons of a verdict card, in the order shown. */
export function verdictActions(result: TestedResult, place: TestPlace): ReadonlyArray<VerdictAction> {
  const actions: VerdictAction[] = [];
  const peer = result.server.kind === 'peer' && result.server.id !== null ? result.server : null;
  const identity = result.server.kind === 'identity' && result.server.id !== null ? result.server : null;
  switch (result.verdict) {
    case 'ok':
      break;
    case 'rejected':
      if (result.as.oneTime) actions.push({ id: 'test-as-identity', label: 'Test as my client identity' });
      else if (identity) {
        // Our own server: its allowlist is the peers allowed to connect (and its devices), kept here.
        actions.push({ id: 'open-allowlist', label: `Open the allowlist of ${identity.name ?? 'this server'}` });
        actions.push({ id: 'retry', label: 'Test again' });
      } else {
        if (result.as.id !== null) actions.push({ id: 'show-my-qr', label: `Show the QR code of ${result.as.name ?? 'my key'} for the peer's admin` });
        actions.push({ id: 'retry', label: 'Test again' });
      }
      break;
    case 'wrong-server-key':
      if (peer) actions.push({ id: 'replace-peer-key', label: `Re-import the key of ${peer.name ?? 'this peer'}` });
      if (identity && place !== 'identity') actions.push({ id: 'open-identity', label: `Open ${identity.name ?? 'the identity'}` });
      actions.push({ id: 'retry', label: 'Test again' });
      break;
    case 'socket-mismatch':
      if (result.next.socketType) actions.push({ id: 'retry-socket-type', label: `Test again with a ${result.next.socketType.toUpperCase()} socket`, socketType: result.next.socketType });
      else actions.push({ id: 'retry', label: 'Test again' });
      break;
    default:
      actions.push({ id: 'retry', label: 'Test again' });
  }
  if (peer && place !== 'peer' && result.verdict !== 'ok') actions.push({ id: 'open-peer', label: `Open ${peer.name ?? 'the peer'}` });
  return actions;
}

/** "1.2 s" / "850 ms" for the running clock. */
export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms / 10) * 10)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
