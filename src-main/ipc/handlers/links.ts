// Handlers of the links area: the link core (src-main/core/link/) as the CLI's probe/test/sweep
// use it. The client's secret key is read here, handed to the test and dropped; results are mapped
// field by field to the contract's public shape.
import type { KeyPair } from '../../core/curve/keys.js';
import type { LinkResult } from '../../core/link/verdict.js';
import type { Peer } from '../../core/store/document.js';
import type { Workspace } from '../../core/workspace.js';
import type { linksChannels } from '../channels/links.js';
import type { AreaHandlers, HandlerContext } from './context.js';
import { jobsOf } from './jobs.js';

const SWEEP_JOB = 'links.sweep';
/** A sweep tests at most this many links at once unless asked otherwise. */
export const DEFAULT_APP_SWEEP_CONCURRENCY = 20;

interface Client {
  readonly pair: KeyPair;
  readonly as: { readonly name: string | null; readonly publicKey: string; readonly oneTime: boolean };
}

/** Our side of a test: an identity's current key pair from the keychain, or a one-time pair. */
async function clientFor(ws: Workspace, ref: string | undefined): Promise<Client> {
  if (ref === undefined) {
    const { generateKeyPair } = await import('../../core/curve/keys.js');
    const pair = generateKeyPair();
    return { pair, as: { name: null, publicKey: pair.publicKey, oneTime: true } };
  }
  const { identityKeyPair } = await import('../../core/identities/identities.js');
  const found = await identityKeyPair(ws, ref, 'current');
  return { pair: { publicKey: found.publicKey, secretKey: found.secretKey }, as: { name: found.identity.name, publicKey: found.publicKey, oneTime: false } };
}

export function publicResult(result: LinkResult) {
  return {
    verdict: result.verdict,
    endpoint: result.endpoint,
    mechanism: result.mechanism ?? null,
    handshakeMs: result.handshakeMs ?? null,
    rttMs: result.rttMs ?? null,
    hint: result.hint,
    detail: result.detail,
  };
}

function peerLink(peer: Peer) {
  return {
    id: peer.id,
    name: peer.name,
    publicKey: peer.publicKey,
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

interface SweepTarget {
  readonly peer: Peer;
  readonly endpoint: string;
}

async function sweepTargets(ws: Workspace, refs: ReadonlyArray<string> | undefined): Promise<SweepTarget[]> {
  const { data } = await ws.store.read();
  if (refs === undefined) return data.peers.filter((p) => p.endpoints.length > 0).map((peer) => ({ peer, endpoint: peer.endpoints[0]! }));
  const { findPeer } = await import('../../core/peers/peers.js');
  const { InvalidInputError } = await import('../../core/errors.js');
  return refs.map((ref) => {
    const peer = findPeer(data.peers, ref);
    if (peer.endpoints.length === 0) throw new InvalidInputError(`peer ${peer.name} has no endpoint to test; add one first`);
    return { peer, endpoint: peer.endpoints[0]! };
  });
}

export const linksHandlers: AreaHandlers<typeof linksChannels> = {
  'links.probe': async (args) => {
    const { probeEndpoint } = await import('../../core/link/probe.js');
    const probe = await probeEndpoint(args.endpoint, args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {});
    return probe.zmtp
      ? { endpoint: probe.endpoint, outcome: probe.outcome, version: probe.version, mechanism: probe.mechanism, asServer: probe.asServer, ms: probe.ms, detail: probe.detail, seen: null }
      : { endpoint: probe.endpoint, outcome: probe.outcome, version: null, mechanism: null, asServer: null, ms: probe.ms, detail: probe.detail, seen: probe.seen ?? null };
  },

  'links.test': async (args, context) => {
    const ws = context.workspace();
    let serverKey = args.serverKey;
    let endpoint = args.endpoint;
    let peer: Peer | null = null;
    if (args.peer !== undefined) {
      const { findPeer } = await import('../../core/peers/peers.js');
      peer = findPeer((await ws.store.read()).data.peers, args.peer);
      serverKey = peer.publicKey;
      if (endpoint === undefined) {
        if (peer.endpoints.length === 0) {
          const { InvalidInputError } = await import('../../core/errors.js');
          throw new InvalidInputError(`peer ${peer.name} has no endpoint; type the endpoint to test`);
        }
        endpoint = peer.endpoints[0]!;
      }
    }
    const client = await clientFor(ws, args.as);
    const { testLink } = await import('../../core/link/curve-test.js');
    const result = await testLink({
      endpoint: endpoint!,
      serverKey: serverKey!,
      client: client.pair,
      ...(args.socketType ? { socketType: args.socketType } : {}),
      ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
    });
    if (peer) {
      const { recordLinkHistory } = await import('../../core/link/history.js');
      await recordLinkHistory(ws, [{ peerId: peer.id, result }]);
    }
    return { ...publicResult(result), as: client.as, peer: peer ? { id: peer.id, name: peer.name } : null };
  },

  'links.history': async (_args, context) => {
    const { safetyCode } = await import('../../core/curve/safety-code.js');
    const { data } = await context.workspace().store.read();
    return {
      peers: data.peers.map((peer) => ({ ...peerLink(peer), safetyCode: safetyCode(peer.publicKey as never) })),
    };
  },

  'links.sweepStart': async (args, context) => startSweep(args, context),

  'links.sweepProgress': async (args, context) => jobsOf(context).progress(SWEEP_JOB, args.jobId, args.from ?? 0),

  'links.sweepCancel': async (args, context) => ({ jobId: args.jobId, state: jobsOf(context).cancel(SWEEP_JOB, args.jobId) }),
};

type SweepArgs = Parameters<(typeof linksHandlers)['links.sweepStart']>[0];
type SweepRow = ReturnType<typeof publicResult> & { readonly peerId: string; readonly peerName: string };

async function startSweep(args: SweepArgs, context: HandlerContext) {
  const ws = context.workspace();
  const targets = await sweepTargets(ws, args.peers);
  // The key pair and the targets are checked before the job starts, so bad input is an answer.
  const client = await clientFor(ws, args.as);
  const { sweepLinks } = await import('../../core/link/sweep.js');
  const { recordLinkHistory } = await import('../../core/link/history.js');
  const jobId = jobsOf(context).start<SweepRow>(SWEEP_JOB, targets.length, async (control) => {
    const finished: Array<{ peerId: string; result: LinkResult }> = [];
    try {
      await sweepLinks(
        targets.map((t) => ({
          endpoint: t.endpoint,
          serverKey: t.peer.publicKey,
          client: client.pair,
          peer: t.peer,
          ...(args.socketType ? { socketType: args.socketType } : {}),
          ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
        })),
        {
          concurrency: args.concurrency ?? DEFAULT_APP_SWEEP_CONCURRENCY,
          signal: control.signal,
          onProgress: ({ target, result }) => {
            finished.push({ peerId: target.peer.id, result });
            control.report({ ...publicResult(result), peerId: target.peer.id, peerName: target.peer.name });
          },
        },
      );
    } finally {
      // What finished before a cancel is history too.
      await recordLinkHistory(ws, finished);
    }
  });
  return { jobId, total: targets.length };
}
