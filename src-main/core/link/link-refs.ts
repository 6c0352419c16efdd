// What the link commands resolve from the store before touching the network: which own identity
// tests or serves, which client keys a responder admits, and which endpoints a sweep visits.
import { identityKeyPair, type IdentityKeyPair } from '../identities/identities.js';
import type { PublicKey } from '../curve/keys.js';
import { CurvekeepError, InvalidInputError, NotFoundError } from '../errors.js';
import { allowlistEntries } from '../devices/devices.js';
import { findPeer } from '../peers/peers.js';
import { currentGeneration } from '../rotation/policy.js';
import { resolveServerRef } from '../usecases/link-target.js';
import type { DocumentData, Identity, Role } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { parseEndpoint } from './endpoint.js';
import type { KnownClient } from './responder.js';

/**
 * The identity named by `ref`, or, without one, the only identity of the given roles. Its secret
 * comes from the keychain; with `pending`, the key of a rotation under way.
 */
export async function chooseIdentity(
  ws: Workspace,
  ref: string | undefined,
  roles: ReadonlyArray<Role>,
  which: 'current' | 'pending' = 'current',
): Promise<IdentityKeyPair> {
  if (ref !== undefined) return identityKeyPair(ws, ref, which);
  const { data } = await ws.store.read();
  const candidates = data.identities.filter((identity) => roles.includes(identity.role));
  if (candidates.length === 1) return identityKeyPair(ws, candidates[0]!.id, which, data);
  const kinds = roles.join(' or ');
  if (candidates.length === 0) {
    throw new InvalidInputError(`no ${kinds} identity to use: name one, or create one with the role ${roles[0]}`);
  }
  throw new InvalidInputError(
    `name the identity to use: there are ${candidates.length} ${kinds} identities (${candidates.map((i) => i.name).join(', ')})`,
  );
}

/** The keys an identity may present during a rotation: current, pending, and previous (grace). */
function liveKeys(identity: Identity): ReadonlyArray<PublicKey> {
  return identity.generations
    .filter((g) => g.state === 'current' || g.state === 'pending' || g.state === 'previous')
    .map((g) => g.publicKey as PublicKey);
}

export interface ResponderAllowlist {
  readonly allow: 'any' | ReadonlyArray<KnownClient>;
  /** Every key the store can name, for the log. */
  readonly known: ReadonlyArray<KnownClient>;
  /** In words, for the ready message. */
  readonly description: string;
}

/**
 * Who a responder admits: `peers` (the default: every peer on the allowlist), `any`, or
 * references to peers and own identities (an own client identity is how one tests a rotation on
 * one machine).
 */
export function resolveAllowlist(data: Readonly<DocumentData>, allow: ReadonlyArray<string>, serverId: string | null = null): ResponderAllowlist {
  // The server's devices are on its allowlist with the allowed peers (core/devices).
  const devices = serverId === null ? [] : allowlistEntries({ ...data, peers: [] }, serverId).map((e) => ({ publicKey: e.publicKey, name: e.name }));
  const known: KnownClient[] = [
    ...devices,
    ...data.peers.map((peer) => ({ publicKey: peer.publicKey as PublicKey, name: peer.name })),
    ...data.identities.flatMap((identity) => liveKeys(identity).map((publicKey) => ({ publicKey, name: identity.name }))),
  ];
  const words = allow.length === 0 ? ['peers'] : allow;
  if (words.length === 1 && words[0] === 'any') return { allow: 'any', known, description: 'any client key' };
  if (words.length === 1 && words[0] === 'peers') {
    const peers = data.peers.filter((peer) => peer.allowed).map((peer) => ({ publicKey: peer.publicKey as PublicKey, name: peer.name }));
    const allowed = [...peers, ...devices];
    const deviceWords = devices.length > 0 ? ` and ${devices.length} device key${devices.length === 1 ? '' : 's'}` : '';
    return { allow: allowed, known, description: `${peers.length} allowed peer${peers.length === 1 ? '' : 's'}${deviceWords}` };
  }
  if (words.includes('any') || words.includes('peers')) {
    throw new InvalidInputError('admit either "peers", "any", or a list of peer and identity references, not a mix');
  }
  const listed: KnownClient[] = [];
  for (const ref of words) {
    try {
      const peer = findPeer(data.peers, ref);
      listed.push({ publicKey: peer.publicKey as PublicKey, name: peer.name });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      const identity = data.identities.find((candidate) => candidate.id === ref || candidate.name === ref);
      if (!identity) throw new NotFoundError(`cannot admit ${ref}: no peer or identity with that id or name`);
      for (const publicKey of liveKeys(identity)) listed.push({ publicKey, name: identity.name });
    }
  }
  return { allow: listed, known, description: words.join(', ') };
}

/** A sweep was given an endpoint no peer lists, and no server key to test it with. */
export class UnlistedEndpointError extends CurvekeepError {
  readonly code = 'unlisted-endpoint';

  constructor(readonly endpoint: string) {
    super(`no peer lists ${endpoint}: give the server key to test it with, or add the endpoint to a peer`);
  }
}

export interface SweepEntry {
  readonly endpoint: string;
  readonly serverKey: PublicKey;
  readonly peerId?: string;
  readonly peerName?: string;
  /** An own identity named with `peers` (e.g. our own server): tested with its current public key, no link history. */
  readonly identityId?: string;
  readonly identityName?: string;
}

/** A peer's (or a named own identity's) endpoint a sweep does not test, and why. */
export interface SweepSkip {
  /** Whose endpoint: a peer, or an own identity named with `peers`. */
  readonly kind: 'peer' | 'identity';
  /** The id and name of the peer or own identity. */
  readonly peerId: string;
  readonly peerName: string;
  /** The endpoint as stored; null when the peer has none. */
  readonly endpoint: string | null;
  readonly reason: 'not-tcp' | 'no-endpoint';
}

export interface SweepPlan {
  readonly entries: ReadonlyArray<SweepEntry>;
  /** Peer endpoints that cannot be link-tested (ipc://, ws://, ...) and peers without one. */
  readonly skipped: ReadonlyArray<SweepSkip>;
}

export interface SweepSelection {
  /** Sweep the peers too when endpoints are given (every peer, or those in `peers`). */
  readonly usePeers?: boolean;
  /**
   * Only these servers (ids or names): peers, or own identities (resolveServerRef: a name held by
   * both is an AmbiguousServerRefError). Default: every peer.
   */
  readonly peers?: ReadonlyArray<string>;
  /** The key for given endpoints that no peer lists. */
  readonly serverKey?: PublicKey;
}

/**
 * The endpoints of a sweep. With `usePeers`, named `peers`, or no endpoints given: every TCP
 * endpoint of those peers (of every peer by default); other endpoints are skipped with a reason,
 * never fatal. A given endpoint uses the key of the peer that lists it, or `serverKey`.
 */
export function planSweep(data: Readonly<DocumentData>, endpoints: ReadonlyArray<string>, options: SweepSelection): SweepPlan {
  const entries: SweepEntry[] = [];
  const skipped: SweepSkip[] = [];
  const byEndpoint = new Map<string, { id: string; name: string; publicKey: PublicKey }>();
  const refs = options.peers?.map((ref) => resolveServerRef(data, ref));
  const selected = refs === undefined ? undefined : new Set(refs.filter((ref) => ref.kind === 'peer').map((ref) => ref.id));
  const sweepPeers = options.usePeers === true || selected !== undefined || endpoints.length === 0;
  for (const peer of data.peers) {
    const inSweep = sweepPeers && (selected === undefined || selected.has(peer.id));
    if (inSweep && peer.endpoints.length === 0) skipped.push({ kind: 'peer', peerId: peer.id, peerName: peer.name, endpoint: null, reason: 'no-endpoint' });
    for (const raw of peer.endpoints) {
      let endpoint: string;
      try {
        endpoint = parseEndpoint(raw).endpoint;
      } catch {
        if (inSweep) skipped.push({ kind: 'peer', peerId: peer.id, peerName: peer.name, endpoint: raw, reason: 'not-tcp' });
        continue;
      }
      byEndpoint.set(endpoint, { id: peer.id, name: peer.name, publicKey: peer.publicKey as PublicKey });
      if (inSweep) entries.push({ endpoint, serverKey: peer.publicKey as PublicKey, peerId: peer.id, peerName: peer.name });
    }
  }
  const identityIds = [...new Set((refs ?? []).filter((ref) => ref.kind === 'identity').map((ref) => ref.id))];
  for (const identity of identityIds.map((id) => data.identities.find((candidate) => candidate.id === id)!)) {
    const current = currentGeneration(identity);
    if (!current) throw new InvalidInputError(`identity ${identity.name} has no current key`);
    if (identity.endpoints.length === 0) skipped.push({ kind: 'identity', peerId: identity.id, peerName: identity.name, endpoint: null, reason: 'no-endpoint' });
    for (const raw of identity.endpoints) {
      let endpoint: string;
      try {
        endpoint = parseEndpoint(raw).endpoint;
      } catch {
        skipped.push({ kind: 'identity', peerId: identity.id, peerName: identity.name, endpoint: raw, reason: 'not-tcp' });
        continue;
      }
      entries.push({ endpoint, serverKey: current.publicKey as PublicKey, identityId: identity.id, identityName: identity.name });
    }
  }
  for (const raw of endpoints) {
    const { endpoint } = parseEndpoint(raw);
    const peer = byEndpoint.get(endpoint);
    if (peer) {
      if (!entries.some((entry) => entry.endpoint === endpoint && entry.peerId === peer.id)) {
        entries.push({ endpoint, serverKey: peer.publicKey, peerId: peer.id, peerName: peer.name });
      }
    } else if (options.serverKey) {
      entries.push({ endpoint, serverKey: options.serverKey });
    } else {
      throw new UnlistedEndpointError(endpoint);
    }
  }
  if (entries.length === 0) {
    throw new InvalidInputError('nothing to sweep: give endpoints, or add TCP endpoints to peers (or to the own identities named)');
  }
  return { entries, skipped };
}
