// The links area: the ZMTP probe, the live CURVE link test with its verdict (ARCHITECTURE.md
// section 6), sweeps over every peer with an endpoint (a job: see job.ts) and per-peer history.
// The client identity's secret key is read from the keychain in the main process and only used
// there; no result carries it.
import { z } from 'zod';
import { LINK_NEXT_ACTIONS, LINK_SOCKET_TYPES, LINK_VERDICTS, MAX_SWEEP_CONCURRENCY, PROBE_OUTCOMES } from '../../common/link.js';
import { JobCancelArgs, JobCancelledSchema, JobProgressArgs, JobStartedSchema, jobProgressSchema } from './job.js';
import { defineChannels } from './spec.js';

// Re-exported for the channels that already import them from here (rotation).
export { LINK_SOCKET_TYPES, PROBE_OUTCOMES };

const Endpoint = z.string().trim().min(3, 'give an endpoint such as tcp://10.0.0.7:5555').max(300);
const Ref = z.string().trim().min(1).max(200);
const Z85Key = z.string().trim().length(40, 'a CURVE public key is 40 Z85 characters');
const TimeoutMs = z.number().int().min(100).max(60_000);
/** A name the page gives a test, so that it can cancel it (links.testCancel). */
const TestId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a test id is 8 to 64 letters, digits, _ or -');

export const ProbeSchema = z.object({
  endpoint: z.string(),
  outcome: z.enum(PROBE_OUTCOMES),
  version: z.string().nullable(),
  mechanism: z.string().nullable(),
  asServer: z.boolean().nullable(),
  ms: z.number(),
  detail: z.string(),
  /** The first bytes a non-ZMTP peer sent, as text or hex. */
  seen: z.string().nullable(),
});

const NextActionSchema = z.object({
  action: z.enum(LINK_NEXT_ACTIONS),
  socketType: z.enum(LINK_SOCKET_TYPES).nullable(),
  allowClientKey: z.boolean(),
});

export const LinkResultSchema = z.object({
  verdict: z.enum(LINK_VERDICTS),
  endpoint: z.string(),
  mechanism: z.string().nullable(),
  handshakeMs: z.number().nullable(),
  rttMs: z.number().nullable(),
  /** What the tech does next. */
  hint: z.string(),
  /** The same as data, for a button or a sentence (see common/link.ts). */
  next: NextActionSchema,
  detail: z.string(),
});

/** Who we were in the test: an own identity's key, or a one-time key (only when asked for). */
export const TestedAsSchema = z.object({
  id: z.string().nullable(),
  name: z.string().nullable(),
  publicKey: z.string(),
  generation: z.number().int().nullable(),
  oneTime: z.boolean(),
  chosen: z.enum(['named', 'only-usable', 'one-time']),
});

export const LinkServerSchema = z.object({ kind: z.enum(['peer', 'identity', 'key']), id: z.string().nullable(), name: z.string().nullable() });

export const SweepSkipSchema = z.object({
  /** A peer's endpoint, or an own identity's (named with `peers`); peerId/peerName are its id and name. */
  kind: z.enum(['peer', 'identity']),
  peerId: z.string(),
  peerName: z.string(),
  endpoint: z.string().nullable(),
  reason: z.enum(['not-tcp', 'no-endpoint']),
});

export const LinkHistorySchema = z.object({
  lastVerdict: z.string().nullable(),
  lastAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastEndpoint: z.string().nullable(),
});

export const PeerLinkSchema = z.object({
  id: z.string(),
  name: z.string(),
  publicKey: z.string(),
  safetyCode: z.string(),
  endpoints: z.array(z.string()),
  link: LinkHistorySchema.nullable(),
});

/** A sweep row: the peer is null for an own identity or an endpoint given with a pasted key; `server` says which. */
export const SweepRowSchema = LinkResultSchema.extend({ peerId: z.string().nullable(), peerName: z.string().nullable(), server: LinkServerSchema });

/** Options every CURVE test shares. */
const TestOptions = {
  /** Our identity (its current key); absent: the only usable client identity (else an error asking to choose). */
  as: Ref.optional(),
  /** A one-time key instead: proves reachability and the server key, never that our key is allowed. */
  oneTimeKey: z.boolean().optional(),
  socketType: z.enum(LINK_SOCKET_TYPES).optional(),
  timeoutMs: TimeoutMs.optional(),
};

export const linksChannels = defineChannels({
  /** Which mechanism does that port speak? Reads the greeting and leaves. */
  'links.probe': {
    args: z.strictObject({ endpoint: Endpoint, timeoutMs: TimeoutMs.optional() }),
    result: ProbeSchema,
  },
  /**
   * One live CURVE test: against a stored peer or own identity (its key, its first TCP endpoint
   * unless given) or a pasted server key.
   */
  'links.test': {
    args: z
      .strictObject({ endpoint: Endpoint.optional(), serverKey: Z85Key.optional(), peer: Ref.optional(), identity: Ref.optional(), testId: TestId.optional(), ...TestOptions })
      .refine((a) => [a.serverKey, a.peer, a.identity].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of serverKey, peer or identity' })
      .refine((a) => a.serverKey === undefined || a.endpoint !== undefined, { message: 'give the endpoint to test' }),
    result: LinkResultSchema.extend({
      as: TestedAsSchema,
      server: LinkServerSchema,
      peer: z.object({ id: z.string(), name: z.string() }).nullable(),
      /** With a one-time key: what the verdict does and does not prove. */
      oneTimeNote: z.string().nullable(),
    }),
  },
  /** Stops a running links.test by the id the page gave it; the test answers with a `cancelled` error. */
  'links.testCancel': {
    args: z.strictObject({ testId: TestId }),
    result: z.object({ cancelled: z.boolean() }),
  },
  /** Peers with their endpoints and last link verdicts. */
  'links.history': {
    args: z.strictObject({}),
    result: z.object({ peers: z.array(PeerLinkSchema) }),
  },
  /**
   * Starts a sweep over every TCP endpoint of every peer (or of the named peers or own identities:
   * one rule with `curvekeep sweep --peer`), or given endpoints; endpoints that cannot be tested are skipped with a reason. Poll links.sweepProgress.
   */
  'links.sweepStart': {
    args: z.strictObject({
      peers: z.array(Ref).min(1).max(10_000).optional(),
      endpoints: z.array(Endpoint).min(1).max(10_000).optional(),
      serverKey: Z85Key.optional(),
      concurrency: z.number().int().min(1).max(MAX_SWEEP_CONCURRENCY).optional(),
      ...TestOptions,
    }),
    result: JobStartedSchema.extend({ skipped: z.array(SweepSkipSchema), as: TestedAsSchema }),
  },
  'links.sweepProgress': { args: JobProgressArgs, result: jobProgressSchema(SweepRowSchema) },
  'links.sweepCancel': { args: JobCancelArgs, result: JobCancelledSchema },
});
