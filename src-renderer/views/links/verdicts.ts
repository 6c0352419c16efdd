// The link-test verdicts of ARCHITECTURE.md section 6 as the view explains them: what the verdict
// means and what the tech does next.
export interface VerdictText {
  readonly title: string;
  readonly meaning: string;
  readonly next: string;
  readonly tone: 'ok' | 'warn' | 'danger';
}

export const VERDICT_TEXT: Readonly<Record<string, VerdictText>> = {
  ok: { title: 'Encrypted and accepted', meaning: 'The CURVE handshake completed.', next: 'Nothing to do.', tone: 'ok' },
  unreachable: { title: 'Unreachable', meaning: 'TCP connection refused, no route, or the name was not found.', next: 'Check the address, the port and the firewall.', tone: 'danger' },
  timeout: { title: 'No answer in time', meaning: 'TCP is open but no handshake came within the limit.', next: 'The peer is overloaded or filtered; try again, or check what listens there.', tone: 'warn' },
  'not-zmtp': { title: 'Not ZeroMQ', meaning: 'Something answered that is not ZMTP 3.', next: 'Wrong port: find the ZeroMQ port.', tone: 'danger' },
  plaintext: { title: 'Unencrypted (NULL)', meaning: 'The peer speaks ZMTP with the NULL mechanism: its traffic is unencrypted.', next: 'Enable CURVE on the peer.', tone: 'danger' },
  'plain-auth': { title: 'Passwords in clear (PLAIN)', meaning: 'The peer speaks PLAIN: user names and passwords travel in clear text.', next: 'Enable CURVE on the peer.', tone: 'danger' },
  'wrong-server-key': { title: 'Wrong server key', meaning: 'The peer speaks CURVE but the handshake dies: the server key we hold is not its key.', next: "Re-import the peer's current public key.", tone: 'danger' },
  rejected: { title: 'Our key is not allowed', meaning: "The peer's authenticator refused our client key (ZAP 400).", next: "Add our public key to the peer's allowlist.", tone: 'danger' },
  'auth-error': { title: 'Peer authenticator failed', meaning: "The peer's ZAP handler failed (500) or the peer uses another mechanism.", next: 'A peer-side problem: check the peer.', tone: 'danger' },
  'socket-mismatch': { title: 'Socket types do not match', meaning: 'Encryption worked but the socket types cannot talk to each other.', next: 'Choose the matching socket type.', tone: 'warn' },
};

export function verdictText(verdict: string): VerdictText {
  return VERDICT_TEXT[verdict] ?? { title: verdict, meaning: 'An unknown verdict.', next: 'See the detail.', tone: 'warn' };
}
