// The links area: the ZMTP probe, the live CURVE link test with its verdict (ARCHITECTURE.md
// section 6), sweeps over every peer with an endpoint (a job: see job.ts) and per-peer history.
// The client identity's secret key is read from the keychain in the main process and only used
// there; no result carries it.
import { z } from 'zod';
import { JobCancelArgs, JobCancelledSchema, JobProgressArgs, JobStartedSchema, jobProgressSchema } from './job.js';
import { defineChannels } from './spec.js';

export const LINK_VERDICT_NAMES = [
  'ok', 'unreachable', 'timeout', 'not-zmtp', 'plaintext', 'plain-auth',
  'wrong-server-key', 'rejected', 'auth-error', 'socket-mismatch',
] as const;
export const LINK_SOCKET_TYPES = ['dealer', 'req', 'pair', 'router', 'sub', 'pub', 'pull', 'push'] as const;
export const PROBE_OUTCOMES = ['zmtp', 'not-zmtp', 'unreachable', 'timeout'] as const;

const Endpoint = z.string().trim().min(3, 'give an endpoint such as tcp://10.0.0.7:5555').max(300);
const Ref = z.string().trim().min(1).max(200);
const Z85Key = z.string().trim().length(40, 'a CURVE public key is 40 Z85 characters');
const TimeoutMs = z.number().int().min(100).max(60_000);

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

export const LinkResultSchema = z.object({
  verdict: z.enum(LINK_VERDICT_NAMES),
  endpoint: z.string(),
  mechanism: z.string().nullable(),
  handshakeMs: z.number().nullable(),
  rttMs: z.number().nullable(),
  /** What the tech does next. */
  hint: z.string(),
  detail: z.string(),
});

/** Who we were in the test: an identity's current key, or a one-time key. */
export const TestedAsSchema = z.object({ name: z.string().nullable(), publicKey: z.string(), oneTime: z.boolean() });

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

export const SweepRowSchema = LinkResultSchema.extend({ peerId: z.string(), peerName: z.string() });

/** Options every CURVE test shares. */
const TestOptions = {
  /** Our identity (its current key); absent: a one-time key, admitted only by peers that allow anyone. */
  as: Ref.optional(),
  socketType: z.enum(LINK_SOCKET_TYPES).optional(),
  timeoutMs: TimeoutMs.optional(),
};

export const linksChannels = defineChannels({
  /** Which mechanism does that port speak? Reads the greeting and leaves. */
  'links.probe': {
    args: z.strictObject({ endpoint: Endpoint, timeoutMs: TimeoutMs.optional() }),
    result: ProbeSchema,
  },
  /** One live CURVE test: against a stored peer (its key, its first endpoint unless given) or a pasted server key. */
  'links.test': {
    args: z
      .strictObject({ endpoint: Endpoint.optional(), serverKey: Z85Key.optional(), peer: Ref.optional(), ...TestOptions })
      .refine((a) => (a.serverKey === undefined) !== (a.peer === undefined), { message: 'give exactly one of serverKey or peer' })
      .refine((a) => a.peer !== undefined || a.endpoint !== undefined, { message: 'give the endpoint to test' }),
    result: LinkResultSchema.extend({
      as: TestedAsSchema,
      peer: z.object({ id: z.string(), name: z.string() }).nullable(),
    }),
  },
  /** Peers with their endpoints and last link verdicts. */
  'links.history': {
    args: z.strictObject({}),
    result: z.object({ peers: z.array(PeerLinkSchema) }),
  },
  /** Starts a sweep over every peer with an endpoint (or the named ones); poll links.sweepProgress. */
  'links.sweepStart': {
    args: z.strictObject({
      peers: z.array(Ref).min(1).max(10_000).optional(),
      concurrency: z.number().int().min(1).max(200).optional(),
      ...TestOptions,
    }),
    result: JobStartedSchema,
  },
  'links.sweepProgress': { args: JobProgressArgs, result: jobProgressSchema(SweepRowSchema) },
  'links.sweepCancel': { args: JobCancelArgs, result: JobCancelledSchema },
});
