// What the app and the CLI show of a peer.
import type { PublicKey } from '../curve/keys.js';
import { safetyCode, type SafetyCode } from '../curve/safety-code.js';
import type { LinkHistory, Peer } from '../store/document.js';

export interface PeerView {
  readonly id: string;
  readonly name: string;
  readonly publicKey: PublicKey;
  readonly safetyCode: SafetyCode;
  readonly endpoints: ReadonlyArray<string>;
  readonly tags: ReadonlyArray<string>;
  readonly allowed: boolean;
  readonly createdAt: string;
  readonly source: string | null;
  readonly verification: { readonly state: 'unverified' | 'verified' | 'mismatch'; readonly at: string | null; readonly by: string | null };
  readonly link: LinkHistory | null;
}

export function peerView(peer: Peer): PeerView {
  return {
    id: peer.id,
    name: peer.name,
    publicKey: peer.publicKey as PublicKey,
    safetyCode: safetyCode(peer.publicKey as PublicKey),
    endpoints: peer.endpoints,
    tags: peer.tags,
    allowed: peer.allowed,
    createdAt: peer.createdAt,
    source: peer.source ?? null,
    verification: { state: peer.verification.state, at: peer.verification.at ?? null, by: peer.verification.by ?? null },
    link: peer.link ?? null,
  };
}
