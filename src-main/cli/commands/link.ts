// `curvekeep probe | test | serve | sweep`: live link testing (ARCHITECTURE.md section 6).
import type { Command } from 'commander';
import { Option } from 'commander';
import { DEFAULT_LINK_TIMEOUT_MS, DEFAULT_SWEEP_CONCURRENCY, LINK_SOCKET_TYPES, type LinkSocketType, MAX_SWEEP_CONCURRENCY, linkTestReadsStore } from '../../common/link.js';
import { CurvekeepError, isCurvekeepError } from '../../core/errors.js';
import type { LinkResult } from '../../core/link/verdict.js';
import type { ProbeResult } from '../../core/link/probe.js';
import type { ClientEvent } from '../../core/link/responder.js';
import type { LinkClientIdentity } from '../../core/usecases/link-target.js';
import { exitCodeFor } from '../errors.js';
import { action, table, UsageError } from '../runner.js';

/** A core error phrased for the command line, keeping its code and exit status. */
class PhrasedError extends CurvekeepError {
  constructor(readonly code: string, message: string, readonly exitCode: 1 | 2 | 3) {
    super(message);
  }
}

/** Core's typed link-target errors in the CLI's words (its flags). */
function phrase(error: unknown): unknown {
  if (!isCurvekeepError(error)) return error;
  if (error.code === 'choose-client-identity') {
    const { reason, candidates } = error as CurvekeepError & { reason: 'none' | 'several'; candidates: ReadonlyArray<{ name: string }> };
    return new PhrasedError(error.code, reason === 'none'
      ? 'no client or device identity with its secret key to test as: give --as REF, create one with curvekeep keys generate --role client, or use --one-time-key'
      : `--as REF is required: there are ${candidates.length} client or device identities (${candidates.map((c) => c.name).join(', ')})`, exitCodeFor(error));
  }
  if (error.code === 'unlisted-endpoint') {
    const { endpoint } = error as CurvekeepError & { endpoint: string };
    return new PhrasedError(error.code, `no peer lists ${endpoint}: give its key with --server-key Z85, or add the endpoint to a peer (curvekeep peers add --endpoint)`, exitCodeFor(error));
  }
  if (error.code === 'no-testable-endpoint') return new PhrasedError(error.code, `${error.message} as the ENDPOINT argument`, exitCodeFor(error));
  return error;
}

async function phrased<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw phrase(error);
  }
}

function describeAs(as: LinkClientIdentity): string {
  return as.oneTime ? `a one-time key (${as.publicKey})` : `${as.name} (${as.publicKey})`;
}

/** The next action as the command line says it: a flag to change. */
function nextFlag(result: LinkResult): string {
  return result.next.action === 'use-socket-type' && result.next.socketType ? ` (--socket-type ${result.next.socketType})` : '';
}

function parseMs(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 600_000) {
    throw new UsageError(`${flag} takes milliseconds between 1 and 600000, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function parseCount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_SWEEP_CONCURRENCY) {
    throw new UsageError(`${flag} takes a whole number between 1 and ${MAX_SWEEP_CONCURRENCY}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(1)} ms`;
}

export function describeLinkResult(result: LinkResult): string {
  const lines = [
    `verdict:    ${result.verdict}`,
    `endpoint:   ${result.endpoint}`,
  ];
  if (result.mechanism) lines.push(`mechanism:  ${result.mechanism}`);
  if (result.handshakeMs !== undefined) lines.push(`handshake:  ${ms(result.handshakeMs)}`);
  if (result.rttMs !== undefined) lines.push(`round trip: ${ms(result.rttMs)}`);
  lines.push(`hint:       ${result.hint}${nextFlag(result)}`, `detail:     ${result.detail}`);
  return lines.join('\n');
}

function describeProbe(result: ProbeResult): string {
  if (result.zmtp) {
    return [`endpoint:   ${result.endpoint}`, `ZMTP:       ${result.version}`, `mechanism:  ${result.mechanism}`,
      ...(result.mechanism === 'CURVE' ? [] : [`warning:    ${result.mechanism === 'PLAIN' ? 'PLAIN sends passwords in clear text' : 'traffic on this link is not encrypted'}`])].join('\n');
  }
  return [`endpoint:   ${result.endpoint}`, `result:     ${result.outcome}`, `detail:     ${result.detail}`,
    ...(result.seen ? [`seen:       ${result.seen}`] : [])].join('\n');
}

function describeClient(event: ClientEvent): string {
  const who = event.name ? `${event.name} ` : 'unknown key ';
  return `${event.admitted ? 'admitted' : 'refused '} ${who}${event.publicKey} (safety code ${event.safetyCode}) from ${event.address}`;
}

export function registerLink(program: Command): void {
  program
    .command('probe <endpoint>')
    .description("read a peer's ZMTP greeting: version and mechanism (NULL, PLAIN, CURVE), without a handshake")
    .option('--timeout <ms>', 'give up after this long (default 3000)')
    .action(
      action(async (_ctx, endpoint: string, opts: { timeout?: string }) => {
        const { probeEndpoint } = await import('../../core/link/probe.js');
        const timeoutMs = parseMs(opts.timeout, '--timeout');
        const result = await probeEndpoint(endpoint, timeoutMs !== undefined ? { timeoutMs } : {});
        return { json: result, text: describeProbe(result), exitCode: result.zmtp ? 0 : 1 };
      }, { readsStore: false }),
    );

  program
    .command('test [endpoint]')
    .description('live CURVE link test: a verdict with handshake and round-trip times; exit 0 only for ok')
    .option('--server-key <z85>', "the peer's public key")
    .option('--peer <ref>', "a stored peer: its public key and first TCP endpoint (the verdict is kept in its history)")
    .option('--identity <ref>', 'an own identity as the server (e.g. our own server): its current key and first TCP endpoint')
    .option('--as <ref>', 'the own identity to connect with (default: the only client or device identity with its secret)')
    .option('--pending', 'use the pending key of a rotation under way')
    .option('--one-time-key', 'connect with a fresh one-time key: proves reachability and the server key, not the allowlist')
    .addOption(new Option('--socket-type <type>', 'our socket type (default dealer: talks to REP, ROUTER, DEALER)').choices(LINK_SOCKET_TYPES))
    .option('--timeout <ms>', `limit for the whole test (default ${DEFAULT_LINK_TIMEOUT_MS})`)
    .action(
      action(async (ctx, endpoint: string | undefined, opts: {
        serverKey?: string; peer?: string; identity?: string; as?: string; pending?: boolean; oneTimeKey?: boolean; socketType?: LinkSocketType; timeout?: string;
      }) => {
        const named = [opts.serverKey, opts.peer, opts.identity].filter((value) => value !== undefined).length;
        if (named !== 1) throw new UsageError('give exactly one of --server-key Z85, --peer REF or --identity REF');
        if (opts.serverKey !== undefined && endpoint === undefined) throw new UsageError('give the ENDPOINT to test with --server-key');
        const timeoutMs = parseMs(opts.timeout, '--timeout');
        const { runLinkTest } = await import('../../core/usecases/link.js');
        const outcome = await phrased(runLinkTest(ctx.workspace(), {
          ...(endpoint !== undefined ? { endpoint } : {}),
          ...(opts.serverKey !== undefined ? { serverKey: opts.serverKey } : {}),
          ...(opts.peer !== undefined ? { peer: opts.peer } : {}),
          ...(opts.identity !== undefined ? { identity: opts.identity } : {}),
          ...(opts.as !== undefined ? { as: opts.as } : {}),
          ...(opts.pending ? { pending: true } : {}),
          ...(opts.oneTimeKey ? { oneTimeKey: true } : {}),
          ...(opts.socketType ? { socketType: opts.socketType } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        }));
        const { result, as, server, recordedFor, oneTimeNote } = outcome;
        return {
          json: { ...result, as, server, peer: recordedFor, oneTimeNote },
          text: [
            describeLinkResult(result),
            `as:         ${describeAs(as)}`,
            ...(recordedFor ? [`peer:       ${recordedFor.name}`] : []),
            ...(oneTimeNote ? [`note:       ${oneTimeNote}`] : []),
          ].join('\n'),
          exitCode: result.verdict === 'ok' ? 0 : 1,
        };
      }, { readsStore: linkTestReadsStore }),
    );

  program
    .command('serve <endpoint>')
    .description('CURVE echo responder with a ZAP allowlist; logs each admitted and refused client; stops on SIGINT/SIGTERM')
    .option('--as <ref>', 'the own server identity to serve as (default: the only server identity)')
    .option('--allow <who...>', '"peers" (allowed peers, the default), "any", or peer and identity references')
    .option('--pending', 'present the pending key of a server key rotation (a second listener for the clients that have the new key)')
    .action(
      action(async (ctx, endpoint: string, opts: { as?: string; allow?: string[]; pending?: boolean }) => {
        const [{ startResponder }, { chooseIdentity, resolveAllowlist }] = await Promise.all([
          import('../../core/link/responder.js'), import('../../core/link/link-refs.js'),
        ]);
        const ws = ctx.workspace();
        const server = opts.pending ? await (await import('../../core/usecases/rotation.js')).pendingServerKey(ws, opts.as) : await chooseIdentity(ws, opts.as, ['server']);
        const allowlist = resolveAllowlist((await ws.store.read()).data, opts.allow ?? [], server.identity.id);
        // With --json, stdout carries only the final document; the running log goes to stderr.
        const log = (line: string): void => {
          (ctx.options.json ? process.stderr : process.stdout).write(`${line}\n`);
        };
        const responder = await startResponder({
          endpoint,
          server,
          allow: allowlist.allow,
          known: allowlist.known,
          onClient: (event) => log(describeClient(event)),
        });
        log(`listening on ${responder.endpoint}`);
        log(`serving as ${server.identity.name}${opts.pending ? ` with its PENDING key (generation ${server.generation})` : ''} (${server.publicKey}, safety code ${opts.pending ? server.identity.pending?.safetyCode : server.identity.safetyCode}), admitting ${allowlist.description}`);
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGINT', () => resolve('SIGINT'));
          process.once('SIGTERM', () => resolve('SIGTERM'));
        });
        await responder.close();
        const stats = responder.stats;
        return {
          json: { endpoint: responder.endpoint, as: { id: server.identity.id, name: server.identity.name, publicKey: server.publicKey }, ...stats, stoppedBy: signal },
          text: `stopped (${signal}): ${stats.admitted} admitted, ${stats.refused} refused, ${stats.echoed} messages echoed`,
        };
      }),
    );

  program
    .command('sweep [endpoints...]')
    .description('test many links at once: every TCP endpoint of every peer, or the given endpoints; records per-peer history')
    .option('--peers', 'every TCP endpoint of every peer (the default when no endpoint is given)')
    .option('--peer <ref...>', 'only these peers or own identities (e.g. own servers, tested with their public key)')
    .option('--server-key <z85>', 'the key for given endpoints that no peer lists')
    .option('--as <ref>', 'the own identity to connect with (default: the only client or device identity with its secret)')
    .option('--one-time-key', 'connect with a fresh one-time key: proves reachability and the server key, not the allowlist')
    .addOption(new Option('--socket-type <type>', 'our socket type (default dealer)').choices(LINK_SOCKET_TYPES))
    .option('--concurrency <n>', `tests at the same time (default ${DEFAULT_SWEEP_CONCURRENCY})`)
    .option('--timeout <ms>', `limit for each test (default ${DEFAULT_LINK_TIMEOUT_MS})`)
    .action(
      action(async (ctx, endpoints: string[], opts: {
        peers?: boolean; peer?: string[]; serverKey?: string; as?: string; oneTimeKey?: boolean; socketType?: LinkSocketType; concurrency?: string; timeout?: string;
      }) => {
        const timeoutMs = parseMs(opts.timeout, '--timeout');
        const concurrency = parseCount(opts.concurrency, '--concurrency');
        const { planLinkSweep } = await import('../../core/usecases/link.js');
        const sweep = await phrased(planLinkSweep(ctx.workspace(), {
          endpoints,
          ...(opts.peers ? { usePeers: true } : {}),
          ...(opts.peer !== undefined ? { peers: opts.peer } : {}),
          ...(opts.serverKey !== undefined ? { serverKey: opts.serverKey } : {}),
          ...(opts.as !== undefined ? { as: opts.as } : {}),
          ...(opts.oneTimeKey ? { oneTimeKey: true } : {}),
          ...(opts.socketType ? { socketType: opts.socketType } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        }));
        for (const skip of sweep.skipped) {
          ctx.note(`skipped ${skip.kind === 'identity' ? 'own identity ' : ''}${skip.peerName} ${skip.endpoint ?? ''}: ${skip.reason === 'not-tcp' ? 'not a TCP endpoint' : 'no endpoint'}`);
        }
        const bar = await progressBar(ctx.options.json, sweep.entries.length);
        let outcome: Awaited<ReturnType<typeof sweep.run>>;
        try {
          outcome = await sweep.run({ onRow: (_row, done) => bar?.update(done) });
        } finally {
          bar?.stop();
        }
        const rows = [['ENDPOINT', 'PEER', 'VERDICT', 'HANDSHAKE', 'RTT', 'HINT']];
        for (const { result, server } of outcome.rows) {
          const serverName = server.kind === 'peer' ? server.name : server.kind === 'identity' ? `${server.name} (own)` : '-';
          rows.push([result.endpoint, serverName, result.verdict, ms(result.handshakeMs), ms(result.rttMs), result.verdict === 'ok' ? '' : `${result.hint}${nextFlag(result)}`]);
        }
        const summary = Object.entries(outcome.counts).map(([verdict, count]) => `${count} ${verdict}`).join(', ');
        const failed = outcome.rows.filter((row) => row.result.verdict !== 'ok').length;
        return {
          json: {
            as: sweep.as,
            results: outcome.rows.map(({ result, peer, server }) => ({ ...result, peer, server })),
            counts: outcome.counts,
            skipped: sweep.skipped,
          },
          text: `${table(rows)}\n\n${outcome.rows.length} tested: ${summary}${sweep.as.oneTime ? ' (with a one-time key)' : ''}`,
          exitCode: failed === 0 ? 0 : 1,
        };
      }),
    );
}

/** A progress bar on stderr, only for a person at a terminal. */
async function progressBar(json: boolean, total: number): Promise<{ update(done: number): void; stop(): void } | undefined> {
  if (json || !process.stderr.isTTY) return undefined;
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: 'sweep [{bar}] {value}/{total}', clearOnComplete: true }, Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}
