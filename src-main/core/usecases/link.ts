// The link area's use cases: what the CLI's probe, test and sweep commands and the app's links.* channels
// both call, so that both faces resolve, default, test and record the same way. The faces only
// parse arguments and phrase the results.
import { DEFAULT_SWEEP_CONCURRENCY, type LinkSocketType, MAX_SWEEP_CONCURRENCY, ONE_TIME_KEY_NOTES } from '../../common/link.js';
import { type PublicKey, parsePublicKey } from '../curve/keys.js';
import { safetyCode } from '../curve/safety-code.js';
import { InvalidInputError } from '../errors.js';
import { testLink } from '../link/curve-test.js';
import { recordLinkHistory } from '../link/history.js';
import { type SweepEntry, type SweepSkip, planSweep } from '../link/link-refs.js';
import { type ProbeResult, probeEndpoint } from '../link/probe.js';
import { countVerdicts, sweepLinks } from '../link/sweep.js';
import type { LinkResult } from '../link/verdict.js';
import type { Peer } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { type LinkClientIdentity, type LinkClientRequest, type LinkServer, type LinkTargetRequest, resolveLinkClient, resolveLinkTarget } from './link-target.js';

export interface LinkTestRequest extends LinkTargetRequest {
  readonly socketType?: LinkSocketType;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface LinkTestOutcome {
  readonly result: LinkResult;
  readonly server: LinkServer;
  readonly endpointSource: 'given' | 'stored';
  /** Who we were (never the secret key). */
  readonly as: LinkClientIdentity;
  /** With a one-time key: what this verdict does and does not prove; otherwise null. */
  readonly oneTimeNote: string | null;
  /** The peer whose history now holds this verdict. */
  readonly recordedFor: { readonly id: string; readonly name: string } | null;
}

/** What a verdict proves when the client was a one-time key. */
export function oneTimeNote(as: Pick<LinkClientIdentity, 'oneTime'>, result: Pick<LinkResult, 'verdict'>): string | null {
  return as.oneTime ? (ONE_TIME_KEY_NOTES[result.verdict] ?? null) : null;
}

/** One live CURVE test; a stored peer's verdict goes into its history. */
export async function runLinkTest(ws: Workspace, request: LinkTestRequest): Promise<LinkTestOutcome> {
  const target = await resolveLinkTarget(ws, request);
  const result = await testLink({
    endpoint: target.endpoint,
    serverKey: target.serverKey,
    client: target.pair,
    ...(request.socketType ? { socketType: request.socketType } : {}),
    ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  let recordedFor: LinkTestOutcome['recordedFor'] = null;
  if (target.server.kind === 'peer') {
    await recordLinkHistory(ws, [{ peerId: target.server.id, result }]);
    recordedFor = { id: target.server.id, name: target.server.name };
  }
  return { result, server: target.server, endpointSource: target.endpointSource, as: target.as, oneTimeNote: oneTimeNote(target.as, result), recordedFor };
}

/** Which mechanism an endpoint speaks, from its greeting alone. */
export function probeLink(endpoint: string, options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}): Promise<ProbeResult> {
  return probeEndpoint(endpoint, options);
}

export interface LinkSweepRequest extends LinkClientRequest {
  /** Endpoints to test; each uses the key of the peer listing it, or `serverKey`. */
  readonly endpoints?: ReadonlyArray<string>;
  /**
   * Only these servers (ids or names): peers, or own identities such as our own servers (tested
   * with the identity's current public key; no link history). A name held by both is an
   * AmbiguousServerRefError. Default, with no endpoints: every peer.
   */
  readonly peers?: ReadonlyArray<string>;
  /** Sweep every peer too when endpoints are given. */
  readonly usePeers?: boolean;
  readonly serverKey?: string;
  readonly concurrency?: number;
  readonly socketType?: LinkSocketType;
  readonly timeoutMs?: number;
}

export interface LinkSweepRow {
  readonly endpoint: string;
  /** The peer tested; null for an own identity or a pasted key. */
  readonly peer: { readonly id: string; readonly name: string } | null;
  /** Who the server is: a peer, an own identity, or a pasted key. */
  readonly server: LinkServer;
  readonly result: LinkResult;
}

export interface LinkSweepOutcome {
  /** In plan order; a cancelled sweep holds only what finished. */
  readonly rows: ReadonlyArray<LinkSweepRow>;
  readonly counts: Readonly<Record<string, number>>;
}

export interface LinkSweep {
  readonly entries: ReadonlyArray<SweepEntry>;
  readonly skipped: ReadonlyArray<SweepSkip>;
  readonly as: LinkClientIdentity;
  readonly concurrency: number;
  /** Tests every entry; peers' verdicts go into their history (own identities have none), also those finished before a cancel. */
  run(options?: { readonly signal?: AbortSignal; readonly onRow?: (row: LinkSweepRow, done: number, total: number) => void }): Promise<LinkSweepOutcome>;
}

/**
 * Plans a sweep and chooses its client, checking everything before any connection: bad input is
 * an error here, never half a sweep. Non-TCP endpoints and peers without one are skipped.
 */
export async function planLinkSweep(ws: Workspace, request: LinkSweepRequest): Promise<LinkSweep> {
  const concurrency = request.concurrency ?? DEFAULT_SWEEP_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_SWEEP_CONCURRENCY) {
    throw new InvalidInputError(`concurrency ${concurrency} is not a whole number between 1 and ${MAX_SWEEP_CONCURRENCY}`);
  }
  const { data } = await ws.store.read();
  const plan = planSweep(data, request.endpoints ?? [], {
    ...(request.usePeers !== undefined ? { usePeers: request.usePeers } : {}),
    ...(request.peers !== undefined ? { peers: request.peers } : {}),
    ...(request.serverKey !== undefined ? { serverKey: parsePublicKey(request.serverKey, 'server key') as PublicKey } : {}),
  });
  const client = await resolveLinkClient(ws, request, data);
  const targets = plan.entries.map((entry) => ({
    ...entry,
    client: client.pair,
    ...(request.socketType ? { socketType: request.socketType } : {}),
    ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
  }));
  const row = (entry: SweepEntry, result: LinkResult): LinkSweepRow => ({
    endpoint: entry.endpoint,
    peer: entry.peerId !== undefined ? { id: entry.peerId, name: entry.peerName ?? entry.peerId } : null,
    server: entry.peerId !== undefined
      ? { kind: 'peer', id: entry.peerId, name: entry.peerName ?? entry.peerId }
      : entry.identityId !== undefined
        ? { kind: 'identity', id: entry.identityId, name: entry.identityName ?? entry.identityId }
        : { kind: 'key' },
    result,
  });
  return {
    entries: plan.entries,
    skipped: plan.skipped,
    as: client.as,
    concurrency,
    async run(options = {}) {
      const finished = new Map<number, LinkResult>();
      try {
        await sweepLinks(targets, {
          concurrency,
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: ({ target, result, done, total }) => {
            finished.set(targets.indexOf(target), result);
            options.onRow?.(row(target, result), done, total);
          },
        });
      } finally {
        await recordLinkHistory(ws, [...finished].flatMap(([index, result]) => {
          const peerId = targets[index]!.peerId;
          return peerId !== undefined ? [{ peerId, result }] : [];
        }));
      }
      const rows = [...finished].sort(([a], [b]) => a - b).map(([index, result]) => row(targets[index]!, result));
      return { rows, counts: Object.fromEntries(countVerdicts(rows.map((r) => r.result))) };
    },
  };
}

export interface PeerLinkView {
  readonly id: string;
  readonly name: string;
  readonly publicKey: string;
  readonly safetyCode: string;
  readonly endpoints: ReadonlyArray<string>;
  readonly link: {
    readonly lastVerdict: string | null;
    readonly lastAt: string | null;
    readonly lastSuccessAt: string | null;
    readonly lastEndpoint: string | null;
  } | null;
}

function peerLinkView(peer: Peer): PeerLinkView {
  return {
    id: peer.id,
    name: peer.name,
    publicKey: peer.publicKey,
    safetyCode: safetyCode(peer.publicKey as PublicKey),
    endpoints: [...peer.endpoints],
    link: peer.link
      ? {
          lastVerdict: peer.link.lastVerdict ?? null,
          lastAt: peer.link.lastAt ?? null,
          lastSuccessAt: peer.link.lastSuccessAt ?? null,
          lastEndpoint: peer.link.lastEndpoint ?? null,
        }
      : null,
  };
}

/** Every peer with its endpoints and last link verdicts. */
export async function linkHistory(ws: Workspace): Promise<ReadonlyArray<PeerLinkView>> {
  const { data } = await ws.store.read();
  return data.peers.map(peerLinkView);
}
