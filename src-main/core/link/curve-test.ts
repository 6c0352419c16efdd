// The live CURVE link test: one verdict of ARCHITECTURE.md section 6 for "is this link encrypted,
// and does it accept my key?". Two things run side by side until one of them decides:
//  - the ZMTP probe (probe.ts) tells unreachable, not-ZMTP, NULL and PLAIN peers apart;
//  - a real CURVE connection (curve-attempt.ts) gives the handshake, the authenticator's answer
//    and the round-trip time.
// A CURVE peer that drops us silently either does not hold the key pair we think it does, or runs
// a socket type ours cannot talk to; a few connections with other socket types tell which.
import { type SecretKey, assertKeyPairMatches, parsePublicKey, parseSecretKey } from '../curve/keys.js';
import { InvalidInputError } from '../errors.js';
import { DEFAULT_LINK_TIMEOUT_MS, LINK_SOCKET_TYPES, type LinkNextAction, type LinkSocketType, TALKS_TO, VERDICTS } from '../../common/link.js';
import { type AttemptOutcome, type AttemptTarget, attemptCurve } from './curve-attempt.js';
import { parseEndpoint } from './endpoint.js';
import { type ProbeResult, checkTimeout, probeEndpoint } from './probe.js';
import { type LinkResult, type LinkVerdict, VERDICT_HINTS } from './verdict.js';

export { DEFAULT_LINK_TIMEOUT_MS, LINK_SOCKET_TYPES, type LinkSocketType };
export type { LinkResult, LinkVerdict } from './verdict.js';

export const DEFAULT_ECHO_TIMEOUT_MS = 1000;

export interface LinkTestOptions {
  readonly endpoint: string;
  /** The peer's (server's) CURVE public key, Z85. */
  readonly serverKey: string;
  /** Our identity: the key pair the peer's allowlist should know. */
  readonly client: { readonly publicKey: string; readonly secretKey: string };
  /**
   * Our socket type. DEALER by default: it talks to REP, ROUTER and DEALER servers, the usual
   * CURVE servers, and it can measure a round trip with either (it frames its ping like REQ).
   */
  readonly socketType?: LinkSocketType;
  /** The whole test's limit; the verdict comes within it (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Longest wait for an echo after a completed handshake (default 1000 ms, never past the limit). */
  readonly echoTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export function parseSocketType(text: string): LinkSocketType {
  const type = text.trim().toLowerCase();
  if (!(LINK_SOCKET_TYPES as ReadonlyArray<string>).includes(type)) {
    throw new InvalidInputError(`socket type ${JSON.stringify(text)} is not one of ${LINK_SOCKET_TYPES.join(', ')}`);
  }
  return type as LinkSocketType;
}

/**
 * Tests one link. Resolves with a verdict for every network outcome; rejects only for bad input
 * (typed errors that never show the secret key) or cancellation (the signal's reason).
 */
export async function testLink(options: LinkTestOptions): Promise<LinkResult> {
  const { endpoint } = parseEndpoint(options.endpoint);
  const serverKey = parsePublicKey(options.serverKey, 'server key');
  const publicKey = parsePublicKey(options.client.publicKey, 'client public key');
  const secretKey: SecretKey = parseSecretKey(options.client.secretKey, 'client secret key');
  assertKeyPairMatches(publicKey, secretKey);
  const socketType = options.socketType ?? 'dealer';
  if (!(LINK_SOCKET_TYPES as ReadonlyArray<string>).includes(socketType)) parseSocketType(socketType);
  const timeoutMs = checkTimeout(options.timeoutMs, DEFAULT_LINK_TIMEOUT_MS);
  const echoTimeoutMs = options.echoTimeoutMs ?? DEFAULT_ECHO_TIMEOUT_MS;
  options.signal?.throwIfAborted();

  const startedAt = performance.now();
  const deadline = startedAt + timeoutMs;
  const target: AttemptTarget = { endpoint, serverKey, publicKey, secretKey };
  // One controller stops both halves: when one decides, or when the caller cancels.
  const stop = new AbortController();
  const onCallerAbort = (): void => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  try {
    const probe = probeEndpoint(endpoint, { timeoutMs, signal: stop.signal }).catch(() => undefined);
    const attempt = attemptCurve(socketType, target, {
      deadline, startedAt, echoTimeoutMs, measureRtt: true, signal: stop.signal,
    });

    type First = { readonly probe: ProbeResult | undefined } | { readonly attempt: AttemptOutcome };
    const first: First = await Promise.race([
      probe.then((result) => ({ probe: result })),
      attempt.then((result) => ({ attempt: result })),
    ]);

    let probeResult: ProbeResult | undefined;
    let attemptResult: AttemptOutcome;
    if ('probe' in first) {
      probeResult = first.probe;
      const decided = probeResult && fromProbe(probeResult);
      if (decided) {
        stop.abort();
        await attempt;
        return decided;
      }
      attemptResult = await attempt;
    } else {
      attemptResult = first.attempt;
      const decided = fromAttempt(endpoint, attemptResult, undefined);
      if (decided) {
        stop.abort();
        await probe;
        return decided;
      }
      probeResult = await probe;
      const byProbe = probeResult && fromProbe(probeResult);
      if (byProbe) return byProbe;
    }
    checkCancelled(options.signal);
    const decided = fromAttempt(endpoint, attemptResult, probeResult);
    if (decided) return decided;
    if (probeResult?.zmtp) return await afterSilentFailure(endpoint, socketType, target, attemptResult, probeResult, deadline, stop.signal);
    // The probe saw no greeting in time, and the CURVE connection did not get through either.
    const seen = attemptResult.kind === 'dropped' ? `${attemptResult.detail}; ` : '';
    return result('timeout', endpoint, `${seen}${probeResult?.detail ?? 'no answer within the limit'}`);
  } finally {
    options.signal?.removeEventListener('abort', onCallerAbort);
    if (!stop.signal.aborted) stop.abort();
    checkCancelled(options.signal);
  }
}

function checkCancelled(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

function result(
  verdict: LinkVerdict, endpoint: string, detail: string, extra: Partial<LinkResult> = {},
  hint = VERDICT_HINTS[verdict], next: LinkNextAction = { action: VERDICTS[verdict].nextAction },
): LinkResult {
  return { verdict, endpoint, ...extra, hint, next, detail };
}

/** The verdicts the probe alone can give. */
function fromProbe(probe: ProbeResult): LinkResult | undefined {
  const { endpoint } = probe;
  if (!probe.zmtp) {
    if (probe.outcome === 'timeout') return undefined; // the CURVE attempt has the same deadline; let it finish
    const seen = probe.seen ? `; it sent ${probe.seen}` : '';
    return result(probe.outcome, endpoint, `${probe.detail}${seen}`);
  }
  const mechanism = probe.mechanism;
  if (mechanism === 'CURVE') return undefined;
  if (mechanism === 'NULL') return result('plaintext', endpoint, `the peer greets with ZMTP ${probe.version} and the NULL mechanism: no encryption`, { mechanism });
  if (mechanism === 'PLAIN') return result('plain-auth', endpoint, `the peer greets with ZMTP ${probe.version} and the PLAIN mechanism: user name and password in clear text`, { mechanism });
  return result('auth-error', endpoint, `the peer greets with the ${mechanism} mechanism, not CURVE`, { mechanism },
    `the peer uses ${mechanism}, not CURVE: enable CURVE on the peer`);
}

/** The verdicts the CURVE connection decides, with what the probe saw when known. */
function fromAttempt(endpoint: string, attempt: AttemptOutcome, probe: ProbeResult | undefined): LinkResult | undefined {
  const mechanism = probe?.zmtp ? probe.mechanism : undefined;
  const withMechanism = mechanism ? { mechanism } : {};
  switch (attempt.kind) {
    case 'handshake': {
      const echo = {
        echoed: `, and it echoed a message in ${attempt.rttMs} ms`,
        replied: `, and it replied to a message in ${attempt.rttMs} ms`,
        silent: ', and it did not answer our message (not an echo service)',
        'not-tried': '',
      }[attempt.echo];
      return result('ok', endpoint, `CURVE handshake completed in ${attempt.handshakeMs} ms${echo}`, {
        mechanism: 'CURVE', handshakeMs: attempt.handshakeMs, ...(attempt.rttMs !== undefined ? { rttMs: attempt.rttMs } : {}),
      });
    }
    case 'auth':
      if (attempt.status === 400) return result('rejected', endpoint, "the peer's ZAP handler refused our client key (400)", { mechanism: 'CURVE' });
      if (attempt.status === 300) return result('wrong-server-key', endpoint, "the peer's ZAP handler answered 300 (temporary failure)", { mechanism: 'CURVE' });
      return result('auth-error', endpoint, `the peer's ZAP handler failed (${attempt.status})`, { mechanism: 'CURVE' });
    case 'cancelled':
      return undefined;
    default:
      break;
  }
  if (probe === undefined) return undefined;
  switch (attempt.kind) {
    case 'protocol':
      if (attempt.code === 'ERR_ZMTP_INVALID_METADATA') {
        return result('socket-mismatch', endpoint, 'the handshake completed but the peer announced a socket type ours cannot talk to', withMechanism);
      }
      if (attempt.code === 'ERR_ZMTP_CRYPTOGRAPHIC' || attempt.code === 'ERR_ZMTP_KEY_EXCHANGE') {
        return result('wrong-server-key', endpoint, `the CURVE handshake failed (${attempt.code})`, withMechanism);
      }
      return result('auth-error', endpoint, `the handshake failed with a protocol error (${attempt.code})`, withMechanism);
    case 'stalled':
      if (probe.zmtp) {
        return result('timeout', endpoint,
          "the peer speaks CURVE but did not finish the handshake within the limit (its ZAP handler was slow, answered 300, or never answered)",
          withMechanism, "the peer is overloaded, or its authenticator does not answer; check the peer's ZAP handler");
      }
      return result('timeout', endpoint, probe.detail);
    case 'connect-failed':
      if (!probe.zmtp) return result(probe.outcome === 'timeout' ? 'timeout' : 'unreachable', endpoint, `${attempt.detail}; ${probe.detail}`);
      return result('unreachable', endpoint, attempt.detail, withMechanism);
    default:
      return undefined;
  }
}

/**
 * The peer speaks CURVE and dropped us without a word. libzmq does that when our HELLO does not
 * open with its key (a wrong server key), and also when our socket type is one it cannot talk
 * to. If another socket type completes the handshake, the key is right and the type is wrong.
 */
async function afterSilentFailure(
  endpoint: string,
  socketType: LinkSocketType,
  target: AttemptTarget,
  attempt: AttemptOutcome,
  probe: ProbeResult,
  deadline: number,
  signal: AbortSignal,
): Promise<LinkResult> {
  const detail = attempt.kind === 'dropped' ? attempt.detail : `the handshake failed (${attempt.kind})`;
  const others = LINK_SOCKET_TYPES.filter((type) => type !== socketType);
  const accepted = await firstAcceptedType(others, target, deadline, signal);
  if (accepted) {
    const refusal = accepted.refusedWith === undefined ? '' :
      `; with that type the peer's ZAP handler ${accepted.refusedWith === 400 ? 'refuses our client key (400)' : `fails (${accepted.refusedWith})`}`;
    const allowClientKey = accepted.refusedWith === 400;
    const also = allowClientKey ? ", and add our public key to the peer's allowlist" : '';
    return result('socket-mismatch', endpoint,
      `the server key is right (a ${accepted.type.toUpperCase()} socket gets through the CURVE handshake), but the peer refuses a ${socketType.toUpperCase()} socket; it is a ${TALKS_TO[accepted.type]} socket${refusal}`,
      { mechanism: 'CURVE' }, `choose the matching socket type: ${accepted.type.toUpperCase()}${also}`,
      { action: 'use-socket-type', socketType: accepted.type, ...(allowClientKey ? { allowClientKey } : {}) });
  }
  const mechanism = probe.zmtp ? { mechanism: probe.mechanism } : {};
  return result('wrong-server-key', endpoint, `${detail}: it speaks CURVE but drops our HELLO, so the server key we hold is not its key`, mechanism);
}

/**
 * The first socket type the peer lets through the CURVE handshake. A ZAP refusal counts: libzmq
 * asks its authenticator only after our HELLO and INITIATE opened with the server key, so the
 * key is right even then.
 */
async function firstAcceptedType(
  types: ReadonlyArray<LinkSocketType>,
  target: AttemptTarget,
  deadline: number,
  signal: AbortSignal,
): Promise<{ readonly type: LinkSocketType; readonly refusedWith?: number } | undefined> {
  if (deadline - performance.now() < 1) return undefined;
  const done = new AbortController();
  const onAbort = (): void => done.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const startedAt = performance.now();
  try {
    const attempts = types.map(async (type) => {
      const outcome = await attemptCurve(type, target, { deadline, startedAt, echoTimeoutMs: 0, measureRtt: false, signal: done.signal });
      if (outcome.kind === 'handshake') return { type };
      if (outcome.kind === 'auth') return { type, refusedWith: outcome.status };
      throw new Error('not accepted');
    });
    try {
      return await Promise.any(attempts);
    } catch {
      return undefined;
    } finally {
      done.abort();
      await Promise.allSettled(attempts);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
