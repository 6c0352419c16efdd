// `curvekeep probe | test | serve | sweep`: live link testing (ARCHITECTURE.md section 6).
import type { Command } from 'commander';
import { Option } from 'commander';
import { action, table, UsageError } from '../runner.js';
import type { LinkResult } from '../../core/link/verdict.js';
import type { ProbeResult } from '../../core/link/probe.js';
import type { ClientEvent } from '../../core/link/responder.js';

const SOCKET_TYPES = ['dealer', 'req', 'pair', 'router', 'sub', 'pub', 'pull', 'push'];

function parseMs(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 600_000) {
    throw new UsageError(`${flag} takes milliseconds between 1 and 600000, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function parseCount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000) {
    throw new UsageError(`${flag} takes a whole number between 1 and 1000, got ${JSON.stringify(value)}`);
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
  lines.push(`hint:       ${result.hint}`, `detail:     ${result.detail}`);
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
      }),
    );

  program
    .command('test <endpoint>')
    .description('live CURVE link test: a verdict with handshake and round-trip times; exit 0 only for ok')
    .option('--server-key <z85>', "the peer's public key")
    .option('--peer <ref>', 'a stored peer: its public key (the verdict is kept in its history)')
    .option('--as <ref>', 'the own identity to connect with (default: the only client or device identity)')
    .option('--pending', 'use the pending key of a rotation under way')
    .addOption(new Option('--socket-type <type>', 'our socket type (default dealer: talks to REP, ROUTER, DEALER)').choices(SOCKET_TYPES))
    .option('--timeout <ms>', 'limit for the whole test (default 5000)')
    .action(
      action(async (ctx, endpoint: string, opts: { serverKey?: string; peer?: string; as?: string; pending?: boolean; socketType?: string; timeout?: string }) => {
        if ((opts.serverKey === undefined) === (opts.peer === undefined)) throw new UsageError('give exactly one of --server-key Z85 or --peer REF');
        const timeoutMs = parseMs(opts.timeout, '--timeout');
        const [{ testLink, parseSocketType }, { chooseIdentity }, { parseEndpoint }] = await Promise.all([
          import('../../core/link/curve-test.js'), import('../../core/link/link-refs.js'), import('../../core/link/endpoint.js'),
        ]);
        const { endpoint: normalised } = parseEndpoint(endpoint);
        const ws = ctx.workspace();
        let serverKey = opts.serverKey;
        let peer: { id: string; name: string } | undefined;
        if (opts.peer !== undefined) {
          const { findPeer } = await import('../../core/peers/peers.js');
          const found = findPeer((await ws.store.read()).data.peers, opts.peer);
          peer = { id: found.id, name: found.name };
          serverKey = found.publicKey;
        }
        const client = await chooseIdentity(ws, opts.as, ['client', 'device'], opts.pending ? 'pending' : 'current');
        const result = await testLink({
          endpoint: normalised,
          serverKey: serverKey!,
          client,
          ...(opts.socketType ? { socketType: parseSocketType(opts.socketType) } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
        if (peer) {
          const { recordLinkHistory } = await import('../../core/link/history.js');
          await recordLinkHistory(ws, [{ peerId: peer.id, result }]);
        }
        const as = { id: client.identity.id, name: client.identity.name, publicKey: client.publicKey, generation: client.generation };
        return {
          json: { ...result, as, ...(peer ? { peer } : {}) },
          text: `${describeLinkResult(result)}\nas:         ${as.name} (${as.publicKey})${peer ? `\npeer:       ${peer.name}` : ''}`,
          exitCode: result.verdict === 'ok' ? 0 : 1,
        };
      }),
    );

  program
    .command('serve <endpoint>')
    .description('CURVE echo responder with a ZAP allowlist; logs each admitted and refused client; stops on SIGINT/SIGTERM')
    .option('--as <ref>', 'the own server identity to serve as (default: the only server identity)')
    .option('--allow <who...>', '"peers" (allowed peers, the default), "any", or peer and identity references')
    .action(
      action(async (ctx, endpoint: string, opts: { as?: string; allow?: string[] }) => {
        const [{ startResponder }, { chooseIdentity, resolveAllowlist }] = await Promise.all([
          import('../../core/link/responder.js'), import('../../core/link/link-refs.js'),
        ]);
        const ws = ctx.workspace();
        const server = await chooseIdentity(ws, opts.as, ['server']);
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
        log(`serving as ${server.identity.name} (${server.publicKey}, safety code ${server.identity.safetyCode}), admitting ${allowlist.description}`);
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
    .description('test many links at once: every peer with an endpoint, or the given endpoints; records per-peer history')
    .option('--peers', 'every TCP endpoint of every peer (the default when no endpoint is given)')
    .option('--server-key <z85>', 'the key for given endpoints that no peer lists')
    .option('--as <ref>', 'the own identity to connect with (default: the only client or device identity)')
    .option('--concurrency <n>', 'tests at the same time (default 50)')
    .option('--timeout <ms>', 'limit for each test (default 5000)')
    .action(
      action(async (ctx, endpoints: string[], opts: { peers?: boolean; serverKey?: string; as?: string; concurrency?: string; timeout?: string }) => {
        const timeoutMs = parseMs(opts.timeout, '--timeout');
        const concurrency = parseCount(opts.concurrency, '--concurrency');
        const [{ sweepLinks, countVerdicts }, { chooseIdentity, planSweep }, { recordLinkHistory }, { parsePublicKey }] = await Promise.all([
          import('../../core/link/sweep.js'), import('../../core/link/link-refs.js'), import('../../core/link/history.js'), import('../../core/curve/keys.js'),
        ]);
        const ws = ctx.workspace();
        const plan = planSweep((await ws.store.read()).data, endpoints, {
          usePeers: Boolean(opts.peers),
          ...(opts.serverKey !== undefined ? { serverKey: parsePublicKey(opts.serverKey, '--server-key') } : {}),
        });
        const client = await chooseIdentity(ws, opts.as, ['client', 'device']);
        const targets = plan.entries.map((entry) => ({
          ...entry, client, ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        }));
        for (const skip of plan.skipped) ctx.note(`skipped ${skip.peerName} ${skip.endpoint}: ${skip.reason}`);
        const bar = await progressBar(ctx.options.json, targets.length);
        let results: LinkResult[];
        try {
          results = await sweepLinks(targets, {
            ...(concurrency !== undefined ? { concurrency } : {}),
            onProgress: (progress) => bar?.update(progress.done),
          });
        } finally {
          bar?.stop();
        }
        await recordLinkHistory(ws, targets.flatMap((target, i) => (target.peerId ? [{ peerId: target.peerId, result: results[i]! }] : [])));

        const rows = [['ENDPOINT', 'PEER', 'VERDICT', 'HANDSHAKE', 'RTT', 'HINT']];
        results.forEach((result, i) => {
          const target = targets[i]!;
          rows.push([result.endpoint, target.peerName ?? '-', result.verdict, ms(result.handshakeMs), ms(result.rttMs), result.verdict === 'ok' ? '' : result.hint]);
        });
        const counts = countVerdicts(results);
        const summary = counts.map(([verdict, count]) => `${count} ${verdict}`).join(', ');
        const failed = results.filter((result) => result.verdict !== 'ok').length;
        return {
          json: {
            as: { id: client.identity.id, name: client.identity.name, publicKey: client.publicKey },
            results: results.map((result, i) => ({ ...result, ...(targets[i]!.peerName ? { peer: { id: targets[i]!.peerId, name: targets[i]!.peerName } } : {}) })),
            counts: Object.fromEntries(counts),
            skipped: plan.skipped,
          },
          text: `${table(rows)}\n\n${results.length} tested: ${summary}`,
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
