// Handlers of the links area: thin translations of the link use cases (core/usecases/link.ts),
// the same ones `curvekeep probe | test | sweep` call. The client's secret key stays in the use
// case; results are mapped field by field to the contract's public shape.
import { RefusedError } from '../../core/errors.js';
import type { LinkResult } from '../../core/link/verdict.js';
import type { LinkClientIdentity, LinkServer } from '../../core/usecases/link-target.js';
import type { linksChannels } from '../channels/links.js';
import type { AreaHandlers, HandlerContext } from './context.js';
import { jobsOf } from './jobs.js';

const SWEEP_JOB = 'links.sweep';

/** Running single tests by the page's id, per handler context (as jobs are), so that links.testCancel can stop one. */
const runningTests = new WeakMap<HandlerContext, Map<string, AbortController>>();
function testsOf(context: HandlerContext): Map<string, AbortController> {
  let tests = runningTests.get(context);
  if (!tests) runningTests.set(context, (tests = new Map()));
  return tests;
}

export function publicResult(result: LinkResult) {
  return {
    verdict: result.verdict,
    endpoint: result.endpoint,
    mechanism: result.mechanism ?? null,
    handshakeMs: result.handshakeMs ?? null,
    rttMs: result.rttMs ?? null,
    hint: result.hint,
    next: { action: result.next.action, socketType: result.next.socketType ?? null, allowClientKey: result.next.allowClientKey ?? false },
    detail: result.detail,
  };
}

function publicAs(as: LinkClientIdentity) {
  return { id: as.id, name: as.name, publicKey: as.publicKey, generation: as.generation, oneTime: as.oneTime, chosen: as.chosen };
}

function publicServer(server: LinkServer) {
  return server.kind === 'key' ? { kind: server.kind, id: null, name: null } : { kind: server.kind, id: server.id, name: server.name };
}

export const linksHandlers: AreaHandlers<typeof linksChannels> = {
  'links.probe': async (args) => {
    const { probeLink } = await import('../../core/usecases/link.js');
    const probe = await probeLink(args.endpoint, args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {});
    return probe.zmtp
      ? { endpoint: probe.endpoint, outcome: probe.outcome, version: probe.version, mechanism: probe.mechanism, asServer: probe.asServer, ms: probe.ms, detail: probe.detail, seen: null }
      : { endpoint: probe.endpoint, outcome: probe.outcome, version: null, mechanism: null, asServer: null, ms: probe.ms, detail: probe.detail, seen: probe.seen ?? null };
  },

  'links.test': async (args, context) => {
    const { runLinkTest } = await import('../../core/usecases/link.js');
    const { testId, ...request } = args;
    const controller = new AbortController();
    const tests = testsOf(context);
    if (testId !== undefined) {
      if (tests.has(testId)) throw new RefusedError('a test with this id is running already');
      tests.set(testId, controller);
    }
    let outcome: Awaited<ReturnType<typeof runLinkTest>>;
    try {
      outcome = await runLinkTest(context.workspace(), { ...request, signal: controller.signal });
    } finally {
      if (testId !== undefined) tests.delete(testId);
    }
    return {
      ...publicResult(outcome.result),
      as: publicAs(outcome.as),
      server: publicServer(outcome.server),
      peer: outcome.recordedFor,
      oneTimeNote: outcome.oneTimeNote,
    };
  },

  'links.testCancel': async (args, context) => {
    const controller = testsOf(context).get(args.testId);
    controller?.abort(new RefusedError('the test was cancelled'));
    return { cancelled: controller !== undefined };
  },

  'links.history': async (_args, context) => {
    const { linkHistory } = await import('../../core/usecases/link.js');
    return { peers: (await linkHistory(context.workspace())).map((peer) => ({ ...peer, endpoints: [...peer.endpoints] })) };
  },

  'links.sweepStart': async (args, context) => startSweep(args, context),

  'links.sweepProgress': async (args, context) => jobsOf(context).progress(SWEEP_JOB, args.jobId, args.from ?? 0),

  'links.sweepCancel': async (args, context) => ({ jobId: args.jobId, state: jobsOf(context).cancel(SWEEP_JOB, args.jobId) }),
};

type SweepArgs = Parameters<(typeof linksHandlers)['links.sweepStart']>[0];
type SweepRow = ReturnType<typeof publicResult> & {
  readonly peerId: string | null;
  readonly peerName: string | null;
  readonly server: { readonly kind: 'peer' | 'identity' | 'key'; readonly id: string | null; readonly name: string | null };
};

async function startSweep(args: SweepArgs, context: HandlerContext) {
  const { planLinkSweep } = await import('../../core/usecases/link.js');
  // The plan and the client key are checked before the job starts, so bad input is an answer.
  const sweep = await planLinkSweep(context.workspace(), args);
  const jobId = jobsOf(context).start<SweepRow>(SWEEP_JOB, sweep.entries.length, async (control) => {
    await sweep.run({
      signal: control.signal,
      onRow: (row) => control.report({
        ...publicResult(row.result),
        peerId: row.peer?.id ?? null,
        peerName: row.peer?.name ?? null,
        server: row.server.kind === 'key' ? { kind: 'key', id: null, name: null } : { ...row.server },
      }),
    });
  });
  return {
    jobId,
    total: sweep.entries.length,
    skipped: sweep.skipped.map((skip) => ({ ...skip })),
    as: publicAs(sweep.as),
  };
}
