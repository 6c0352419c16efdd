// The words of link testing, written once: verdicts with their titles, meanings, hints and next
// actions (as data: the CLI phrases an action as flags, the page as a sentence or a button), our
// socket types, ZMTP mechanisms, probe outcomes and the defaults both faces share.
// Dependency-free: core, the IPC contract, the CLI and the page import it.

export const LINK_VERDICTS = [
  'ok', 'unreachable', 'timeout', 'not-zmtp', 'plaintext', 'plain-auth',
  'wrong-server-key', 'rejected', 'auth-error', 'socket-mismatch',
] as const;
export type LinkVerdict = (typeof LINK_VERDICTS)[number];

/** Our socket types for a CURVE link test. */
export const LINK_SOCKET_TYPES = ['dealer', 'req', 'pair', 'router', 'sub', 'pub', 'pull', 'push'] as const;
export type LinkSocketType = (typeof LINK_SOCKET_TYPES)[number];

/** What kind of peer each of our socket types can talk to (libzmq's compatibility table). */
export const TALKS_TO: Readonly<Record<LinkSocketType, string>> = {
  dealer: 'REP, DEALER or ROUTER',
  req: 'REP or ROUTER',
  pair: 'PAIR',
  router: 'REQ, DEALER or ROUTER',
  sub: 'PUB or XPUB',
  pub: 'SUB or XSUB',
  pull: 'PUSH',
  push: 'PULL',
};

/** ZMTP 3 security mechanisms a greeting can name (others are reported as sent). */
export const ZMTP_MECHANISMS = ['NULL', 'PLAIN', 'CURVE'] as const;
export type ZmtpMechanism = (typeof ZMTP_MECHANISMS)[number];

export const PROBE_OUTCOMES = ['zmtp', 'not-zmtp', 'unreachable', 'timeout'] as const;
export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];

/** One default per decision, the same in the CLI and the app. */
export const DEFAULT_LINK_TIMEOUT_MS = 5000;
export const DEFAULT_SWEEP_CONCURRENCY = 20;
export const MAX_SWEEP_CONCURRENCY = 200;

/** What the tech does next after a verdict; faces phrase it (flags, sentences, buttons). */
export const LINK_NEXT_ACTIONS = [
  'none', 'check-address', 'retry', 'find-zmq-port', 'enable-curve', 'reimport-server-key',
  'allow-client-key', 'check-peer-authenticator', 'use-socket-type',
] as const;
export type LinkNextActionName = (typeof LINK_NEXT_ACTIONS)[number];

export interface LinkNextAction {
  readonly action: LinkNextActionName;
  /** For `use-socket-type`: the type the peer accepts, when a test found it. */
  readonly socketType?: LinkSocketType;
  /** For `use-socket-type`: the peer also refuses our client key with that type. */
  readonly allowClientKey?: boolean;
}

export interface VerdictInfo {
  readonly verdict: LinkVerdict;
  readonly title: string;
  /** What the verdict means. */
  readonly meaning: string;
  /** What to do next, in words every face can show (lower case, goes after "hint:"). */
  readonly hint: string;
  /** The same as a short sentence for a card ("What to do next: ..."). */
  readonly next: string;
  readonly nextAction: LinkNextActionName;
  readonly tone: 'ok' | 'warn' | 'danger';
}

const info = (
  verdict: LinkVerdict, title: string, meaning: string, hint: string, next: string, nextAction: LinkNextActionName, tone: VerdictInfo['tone'],
): VerdictInfo => ({ verdict, title, meaning, hint, next, nextAction, tone });

export const VERDICTS: Readonly<Record<LinkVerdict, VerdictInfo>> = {
  ok: info('ok', 'Encrypted and accepted', 'The CURVE handshake completed.',
    'nothing to do: the link is encrypted and accepts this key', 'Nothing to do.', 'none', 'ok'),
  unreachable: info('unreachable', 'Unreachable', 'TCP connection refused, no route, or the name was not found.',
    'check the address, the port and the firewall', 'Check the address, the port and the firewall.', 'check-address', 'danger'),
  timeout: info('timeout', 'No answer in time', 'TCP is open but no handshake came within the limit.',
    'the peer is overloaded or filtered; try again, or check what listens on that port', 'The peer is overloaded or filtered; try again, or check what listens there.', 'retry', 'warn'),
  'not-zmtp': info('not-zmtp', 'Not ZeroMQ', 'Something answered that is not ZMTP 3.',
    'wrong port: what answers there is not ZeroMQ', 'Wrong port: find the ZeroMQ port.', 'find-zmq-port', 'danger'),
  plaintext: info('plaintext', 'Unencrypted (NULL)', 'The peer speaks ZMTP with the NULL mechanism: its traffic is unencrypted.',
    'enable CURVE on the peer: its traffic is unencrypted (NULL mechanism)', 'Enable CURVE on the peer.', 'enable-curve', 'danger'),
  'plain-auth': info('plain-auth', 'Passwords in clear (PLAIN)', 'The peer speaks PLAIN: user names and passwords travel in clear text.',
    'enable CURVE on the peer: PLAIN sends passwords in clear text', 'Enable CURVE on the peer.', 'enable-curve', 'danger'),
  'wrong-server-key': info('wrong-server-key', 'Wrong server key', 'The peer speaks CURVE but the handshake dies: the server key we hold is not its key.',
    "re-import the peer's current public key: the server key we hold is not the peer's", "Re-import the peer's current public key.", 'reimport-server-key', 'danger'),
  rejected: info('rejected', 'Our key is not allowed', "The peer's authenticator refused our client key (ZAP 400).",
    "add our public key to the peer's allowlist", "Add our public key to the peer's allowlist.", 'allow-client-key', 'danger'),
  'auth-error': info('auth-error', 'Peer authenticator failed', "The peer's ZAP handler failed (500) or the peer uses another mechanism.",
    "peer-side problem: the peer's authenticator failed", 'A peer-side problem: check the peer.', 'check-peer-authenticator', 'danger'),
  'socket-mismatch': info('socket-mismatch', 'Socket types do not match', 'Encryption worked but the socket types cannot talk to each other.',
    'choose the matching socket type', 'Choose the matching socket type.', 'use-socket-type', 'warn'),
};

export function isLinkVerdict(value: string): value is LinkVerdict {
  return (LINK_VERDICTS as ReadonlyArray<string>).includes(value);
}

/** The verdict's texts; an unknown name (e.g. from an older store) gets neutral ones. */
export function verdictInfo(verdict: string): VerdictInfo | (Omit<VerdictInfo, 'verdict'> & { readonly verdict: string }) {
  return isLinkVerdict(verdict)
    ? VERDICTS[verdict]
    : { verdict, title: verdict, meaning: 'An unknown verdict.', hint: 'see the detail', next: 'See the detail.', nextAction: 'none', tone: 'warn' };
}

/**
 * Whether a link test reads the data folder: not with a pasted server key and a one-time key,
 * which use nothing stored (so such a test runs where no keychain is). Core decides by it whether
 * to read the document, the CLI whether to fetch the keychain items a read needs.
 */
export function linkTestReadsStore(request: { readonly serverKey?: unknown; readonly oneTimeKey?: boolean }): boolean {
  return request.serverKey === undefined || request.oneTimeKey !== true;
}

/**
 * What a verdict means when the test presented a one-time key instead of an identity the peer
 * may know: it proves reachability, encryption and the server key, never that our key is allowed.
 */
export const ONE_TIME_KEY_NOTES: Readonly<Partial<Record<LinkVerdict, string>>> = {
  ok: 'tested with a one-time key: the link is encrypted and the server key is right, and this peer admits any client key; it does not show that your own identity is on its allowlist',
  rejected: 'tested with a one-time key: a refusal is expected from a peer with an allowlist; the server key is right. Test as your client identity to check the allowlist',
};
