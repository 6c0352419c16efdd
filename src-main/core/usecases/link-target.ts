// What a link test is aimed at, resolved once for both faces (the CLI's `test` and the app's
// links.test, and the rotation test step): the server (a stored peer, an own identity, or a pasted
// key), the endpoint to connect to, and the client key pair to present. One default everywhere:
//  - endpoint: the one given, else the first tcp:// endpoint of the peer or identity;
//  - client: the identity named, else the user's only usable client identity (role client or
//    device, with its secret in the keychain); a one-time key only when explicitly asked for.
import { linkTestReadsStore } from '../../common/link.js';
import { type KeyPair, type PublicKey, generateKeyPair, parsePublicKey } from '../curve/keys.js';
import { CurvekeepError, InvalidInputError, NotFoundError } from '../errors.js';
import { findIdentity, identityKeyPair, secretAccount } from '../identities/identities.js';
import { parseEndpoint } from '../link/endpoint.js';
import { findPeer } from '../peers/peers.js';
import { currentGeneration } from '../rotation/policy.js';
import type { DocumentData, Role } from '../store/document.js';
import { emptyDocument } from '../store/empty-document.js';
import type { Workspace } from '../workspace.js';

/** The roles whose key can be presented as a link test's client. */
export const CLIENT_ROLES: ReadonlyArray<Role> = ['client', 'device'];

/** Names the server side of a test. Give exactly one of `peer`, `identity` or `serverKey`. */
export interface LinkServerRequest {
  /**
   * A stored peer (id or name): its public key, and its first TCP endpoint unless `endpoint` is given.
   * An own identity's id or name is accepted too (resolveServerRef); a name held by both is an error.
   */
  readonly peer?: string;
  /** An own identity (id or name), e.g. our own server: its current public key and first TCP endpoint. */
  readonly identity?: string;
  /** A pasted server public key (Z85); needs `endpoint`. */
  readonly serverKey?: string;
  /** The endpoint to connect to; overrides the stored one. */
  readonly endpoint?: string;
}

/** Names the client side. Default: the only usable client identity. */
export interface LinkClientRequest {
  /** The own identity (id or name) to present. */
  readonly as?: string;
  /** Present the pending key of `as` (or of the default identity) instead of its current one. */
  readonly pending?: boolean;
  /** Present a fresh one-time key pair, only admitted by servers that allow any key. */
  readonly oneTimeKey?: boolean;
}

export type LinkTargetRequest = LinkServerRequest & LinkClientRequest;

/** Who the server is, as the faces show it. */
export type LinkServer =
  | { readonly kind: 'peer'; readonly id: string; readonly name: string }
  | { readonly kind: 'identity'; readonly id: string; readonly name: string }
  | { readonly kind: 'key' };

export interface ResolvedLinkServer {
  /** Normalised `tcp://host:port`. */
  readonly endpoint: string;
  readonly serverKey: PublicKey;
  readonly server: LinkServer;
  /** Where the endpoint came from: typed by the user, or the stored peer's/identity's list. */
  readonly endpointSource: 'given' | 'stored';
}

/** Who we were in the test. `oneTime`: a throwaway key, which proves reachability and the server key, not the allowlist. */
export interface LinkClientIdentity {
  readonly id: string | null;
  readonly name: string | null;
  readonly publicKey: PublicKey;
  readonly generation: number | null;
  readonly oneTime: boolean;
  /** How it was chosen: named, the only usable one, or a one-time key asked for. */
  readonly chosen: 'named' | 'only-usable' | 'one-time';
}

export interface ResolvedLinkClient {
  /** The key pair to connect with; the secret never leaves the process that tests. */
  readonly pair: KeyPair;
  readonly as: LinkClientIdentity;
}

export interface LinkTarget extends ResolvedLinkServer, ResolvedLinkClient {}

/** The stored peer or identity has no endpoint a link test can reach. */
export class NoTestableEndpointError extends CurvekeepError {
  readonly code = 'no-testable-endpoint';

  constructor(
    readonly target: { readonly kind: 'peer' | 'identity'; readonly name: string },
    /** The endpoints it lists that are not TCP (ipc://, inproc://, ...). */
    readonly unusable: ReadonlyArray<string>,
  ) {
    super(
      unusable.length === 0
        ? `${target.kind} ${target.name} has no endpoint; give the endpoint to test`
        : `${target.kind} ${target.name} has no TCP endpoint (only ${unusable.join(', ')}); give the endpoint to test`,
    );
  }
}

/** No client identity could be chosen by default: none is usable, or several are. */
export class ClientIdentityChoiceError extends CurvekeepError {
  readonly code = 'choose-client-identity';

  constructor(
    readonly reason: 'none' | 'several',
    /** The usable client identities to choose from (empty for `none`). */
    readonly candidates: ReadonlyArray<{ readonly id: string; readonly name: string }>,
  ) {
    super(
      reason === 'none'
        ? 'there is no client or device identity with its secret key to test as: create one, name one, or use a one-time key'
        : `choose the identity to test as: there are ${candidates.length} client or device identities (${candidates.map((c) => c.name).join(', ')})`,
    );
  }
}

/** The first endpoint of a stored list that a link test can connect to (tcp://). */
export function firstTestableEndpoint(endpoints: ReadonlyArray<string>): { endpoint?: string; unusable: string[] } {
  const unusable: string[] = [];
  for (const raw of endpoints) {
    try {
      return { endpoint: parseEndpoint(raw).endpoint, unusable };
    } catch {
      unusable.push(raw);
    }
  }
  return { unusable };
}

/** The server side of a link test, from the store only (no network, no keychain). */
export function resolveLinkServer(data: Readonly<DocumentData>, request: LinkServerRequest): ResolvedLinkServer {
  const named = [request.peer, request.identity, request.serverKey].filter((value) => value !== undefined).length;
  if (named !== 1) throw new InvalidInputError('give exactly one of a peer, an own identity or a server key to test against');
  const given = request.endpoint !== undefined ? parseEndpoint(request.endpoint).endpoint : undefined;

  if (request.serverKey !== undefined) {
    const serverKey = parsePublicKey(request.serverKey, 'server key');
    if (given === undefined) throw new InvalidInputError('give the endpoint to test with a server key');
    return { endpoint: given, serverKey, server: { kind: 'key' }, endpointSource: 'given' };
  }

  let stored: { kind: 'peer' | 'identity'; id: string; name: string; publicKey: PublicKey; endpoints: ReadonlyArray<string> };
  const ref = request.peer !== undefined ? resolveServerRef(data, request.peer) : ({ kind: 'identity', id: request.identity! } as const);
  if (ref.kind === 'peer') {
    const peer = findPeer(data.peers, ref.id);
    stored = { kind: 'peer', id: peer.id, name: peer.name, publicKey: peer.publicKey as PublicKey, endpoints: peer.endpoints };
  } else {
    const identity = findIdentity(data.identities, ref.id);
    const current = currentGeneration(identity);
    if (!current) throw new InvalidInputError(`identity ${identity.name} has no current key`);
    stored = { kind: 'identity', id: identity.id, name: identity.name, publicKey: current.publicKey as PublicKey, endpoints: identity.endpoints };
  }
  const server: LinkServer = { kind: stored.kind, id: stored.id, name: stored.name };
  if (given !== undefined) return { endpoint: given, serverKey: stored.publicKey, server, endpointSource: 'given' };
  const { endpoint, unusable } = firstTestableEndpoint(stored.endpoints);
  if (endpoint === undefined) throw new NoTestableEndpointError({ kind: stored.kind, name: stored.name }, unusable);
  return { endpoint, serverKey: stored.publicKey, server, endpointSource: 'stored' };
}

/** A server reference that names both a peer and an own identity: the user must say which (by id). */
export class AmbiguousServerRefError extends CurvekeepError {
  readonly code = 'ambiguous-server-ref';

  constructor(
    readonly ref: string,
    readonly peer: { readonly id: string; readonly name: string },
    readonly identity: { readonly id: string; readonly name: string },
  ) {
    super(`${JSON.stringify(ref)} names both peer ${peer.name} (id ${peer.id}) and own identity ${identity.name} (id ${identity.id}); give the id of the one to test`);
  }
}

/**
 * The server a reference names: a stored peer or an own identity (e.g. our own gateway), by id or
 * name. A name held by both is an AmbiguousServerRefError; one held by neither names both kinds.
 */
export function resolveServerRef(data: Readonly<DocumentData>, ref: string): { readonly kind: 'peer' | 'identity'; readonly id: string } {
  if (data.peers.some((p) => p.id === ref)) return { kind: 'peer', id: ref };
  if (data.identities.some((i) => i.id === ref)) return { kind: 'identity', id: ref };
  const peers = data.peers.filter((p) => p.name === ref);
  const identities = data.identities.filter((i) => i.name === ref);
  if (peers.length === 1 && identities.length === 1) {
    throw new AmbiguousServerRefError(ref, { id: peers[0]!.id, name: peers[0]!.name }, { id: identities[0]!.id, name: identities[0]!.name });
  }
  if (peers.length > 0) return { kind: 'peer', id: findPeer(data.peers, ref).id };
  if (identities.length > 0) return { kind: 'identity', id: findIdentity(data.identities, ref).id };
  throw new NotFoundError(`no peer or own identity with id or name ${JSON.stringify(ref)}`);
}

/** The own client identities whose current secret key is in the keychain. */
export async function usableClientIdentities(ws: Workspace, data: Readonly<DocumentData>): Promise<Array<{ id: string; name: string }>> {
  const candidates = data.identities.filter((identity) => CLIENT_ROLES.includes(identity.role));
  if (candidates.length === 0) return [];
  const accounts = new Set(await ws.secrets.accounts());
  return candidates
    .filter((identity) => {
      const current = currentGeneration(identity);
      return current !== undefined && accounts.has(secretAccount(identity.id, current.generation));
    })
    .map((identity) => ({ id: identity.id, name: identity.name }));
}

/** The client side of a link test; reads the chosen secret from the keychain. */
export async function resolveLinkClient(ws: Workspace, request: LinkClientRequest, data?: Readonly<DocumentData>): Promise<ResolvedLinkClient> {
  if (request.oneTimeKey) {
    if (request.as !== undefined || request.pending) throw new InvalidInputError('a one-time key cannot be combined with a named identity or its pending key');
    const pair = generateKeyPair();
    return { pair, as: { id: null, name: null, publicKey: pair.publicKey, generation: null, oneTime: true, chosen: 'one-time' } };
  }
  let ref = request.as;
  let chosen: LinkClientIdentity['chosen'] = 'named';
  const known = data ?? (await ws.store.read()).data;
  if (ref === undefined) {
    const usable = await usableClientIdentities(ws, known);
    if (usable.length !== 1) throw new ClientIdentityChoiceError(usable.length === 0 ? 'none' : 'several', usable);
    ref = usable[0]!.id;
    chosen = 'only-usable';
  }
  const found = await identityKeyPair(ws, ref, request.pending ? 'pending' : 'current', known);
  return {
    pair: { publicKey: found.publicKey, secretKey: found.secretKey },
    as: {
      id: found.identity.id, name: found.identity.name, publicKey: found.publicKey, generation: found.generation, oneTime: false, chosen,
    },
  };
}

/** Server, endpoint and client of a link test, with one default per decision for both faces. */
export async function resolveLinkTarget(ws: Workspace, request: LinkTargetRequest): Promise<LinkTarget> {
  // A pasted server key tested with a one-time key uses nothing stored: the document is not read,
  // so the test runs where no keychain is (a field tech's headless box, a fresh machine).
  const data = linkTestReadsStore(request) ? (await ws.store.read()).data : emptyDocument();
  const server = resolveLinkServer(data, request);
  const client = await resolveLinkClient(ws, request, data);
  return { ...server, ...client };
}
