// `curvekeep peers ...`: other parties' public keys.
import type { Command} from 'commander';
import { Option } from 'commander';
import { action, collect, table } from '../runner.js';
import type { PeerView } from '../../core/peers/peer-view.js';

function describePeer(p: PeerView): string {
  const lines = [
    `id:           ${p.id}`,
    `name:         ${p.name}`,
    `public key:   ${p.publicKey}`,
    `safety code:  ${p.safetyCode}`,
    `allowed:      ${p.allowed ? 'yes' : 'no'}`,
    `verification: ${p.verification.state}${p.verification.at ? ` (${p.verification.at}${p.verification.by ? ` by ${p.verification.by}` : ''})` : ''}`,
  ];
  if (p.endpoints.length) lines.push(`endpoints:    ${p.endpoints.join(', ')}`);
  if (p.link?.lastVerdict) lines.push(`last test:    ${p.link.lastVerdict} at ${p.link.lastAt ?? '?'}`);
  return lines.join('\n');
}

/** The duplicate-key warning of core/usecases/peers.ts, in words. */
function sameKeyWarning(w: Readonly<{ peer: { name: string }; sameKeyAs: ReadonlyArray<{ kind: 'peer' | 'identity'; name: string }> }>): string {
  const holders = w.sameKeyAs.map((h) => `${h.kind === 'peer' ? 'peer' : 'your identity'} ${h.name}`).join(', ');
  return `warning: ${w.peer.name} has the same public key as ${holders}: one key for two parties is a mistake or an impersonation; check it with its owner`;
}

export function registerPeers(program: Command): void {
  const peers = program.command('peers').description('peers: public keys of the other ends of your links');

  peers
    .command('add')
    .description('add a peer\'s public key')
    .requiredOption('--name <name>', 'a unique name')
    .requiredOption('--key <z85>', 'the peer\'s public key (40 Z85 characters)')
    .option('--endpoint <url>', 'where to reach it (repeatable)', collect)
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option('--allow', 'put it on the allowlist')
    .action(
      action(async (ctx, opts: { name: string; key: string; endpoint?: string[]; tag?: string[]; allow?: boolean }) => {
        const { addPeer } = await import('../../core/peers/peers.js');
        const { duplicateKeyWarnings } = await import('../../core/usecases/peers.js');
        const peer = await addPeer(ctx.workspace(), { name: opts.name, publicKey: opts.key, endpoints: opts.endpoint ?? [], tags: opts.tag ?? [], allowed: Boolean(opts.allow), source: 'cli' });
        const [warning] = await duplicateKeyWarnings(ctx.workspace(), [peer]);
        const sameKeyAs = warning?.sameKeyAs ?? [];
        const warned = warning ? `\n${sameKeyWarning(warning)}` : '';
        return { json: { ...peer, sameKeyAs }, text: `${describePeer(peer)}${warned}\ncompare the safety code with the peer's owner: curvekeep peers verify ${peer.name} --code "..."` };
      }),
    );

  peers
    .command('import <path>')
    .description('a zcert/pyzmq public file, a folder of them (zcertstore), a QR image (PNG/JPEG) or a CSV')
    .option('--name <name>', 'name for a single key that carries none')
    .option('--allow', 'put the imported peers on the allowlist')
    .action(
      action(async (ctx, path: string, opts: { name?: string; allow?: boolean }) => {
        const { importPeers } = await import('../../core/peers/peer-import.js');
        const { duplicateKeyWarnings } = await import('../../core/usecases/peers.js');
        const result = await importPeers(ctx.workspace(), path, { name: opts.name ?? null, allowed: Boolean(opts.allow) });
        const duplicates = await duplicateKeyWarnings(ctx.workspace(), result.added);
        const lines = [
          ...result.added.map((p) => `added ${p.name}  ${p.publicKey}  ${p.safetyCode}`),
          ...result.unchanged.map((p) => `already present ${p.name}`),
          ...duplicates.map(sameKeyWarning),
        ];
        return { json: { ...result, duplicates }, text: lines.join('\n') };
      }),
    );

  peers
    .command('list')
    .description('all peers')
    .action(
      action(async (ctx) => {
        const { peerRows } = await import('../../core/peers/peers.js');
        const list = await peerRows(ctx.workspace());
        const text = (): string => {
          if (!list.length) return 'no peers yet: curvekeep peers add --name NAME --key Z85';
          const rows = [['ID', 'NAME', 'ALLOWED', 'VERIFIED', 'LAST TEST', 'PUBLIC KEY']];
          for (const p of list) rows.push([p.id, p.name, p.allowed ? 'yes' : 'no', p.verification.state, p.link?.lastVerdict ?? '-', p.publicKey]);
          return table(rows);
        };
        return { json: list, text };
      }, { readsStore: true }),
    );

  peers
    .command('show <ref>')
    .description('one peer')
    .action(
      action(async (ctx, ref: string) => {
        const { showPeer } = await import('../../core/peers/peers.js');
        const peer = await showPeer(ctx.workspace(), ref);
        return { json: peer, text: describePeer(peer) };
      }),
    );

  peers
    .command('remove <ref>')
    .description('remove a peer')
    .action(
      action(async (ctx, ref: string) => {
        const { removePeer } = await import('../../core/peers/peers.js');
        const peer = await removePeer(ctx.workspace(), ref);
        return { json: peer, text: `removed ${peer.name} (${peer.id})` };
      }),
    );

  peers
    .command('allow <ref>')
    .description('put a peer on the allowlist (or take it off with --off)')
    .option('--off', 'take it off')
    .action(
      action(async (ctx, ref: string, opts: { off?: boolean }) => {
        const { setPeerAllowed } = await import('../../core/peers/peers.js');
        const peer = await setPeerAllowed(ctx.workspace(), ref, !opts.off);
        return { json: peer, text: `${peer.name} is ${peer.allowed ? 'on' : 'off'} the allowlist` };
      }),
    );

  peers
    .command('verify <ref>')
    .description('compare the safety code read out by the other side, and record the result')
    .requiredOption('--code <digits>', 'the 30 digits the other side reads out')
    .option('--by <who>', 'who checked it')
    .action(
      action(async (ctx, ref: string, opts: { code: string; by?: string }) => {
        const { verifyPeer } = await import('../../core/peers/peers.js');
        const result = await verifyPeer(ctx.workspace(), ref, opts.code, opts.by);
        const text = result.match
          ? `verified: ${result.peer.name}'s key matches the code read out`
          : `MISMATCH: the code read out is not ${result.peer.name}'s (ours: ${result.expected}). Do not trust this key: someone may be in the middle.`;
        return { json: result, text, exitCode: result.match ? 0 : 1 };
      }),
    );

  peers
    .command('allowlist')
    .description('write the public certificate folder of allowed peers (zcertstore / pyzmq load_certificates)')
    .requiredOption('--out <dir>', 'the folder')
    .addOption(new Option('--format <format>', 'file flavour').choices(['zcert', 'pyzmq']).default('zcert'))
    .option('--force', 'replace files of the same name that Curvekeep did not write')
    .option('--server <ref>', "only this server's devices (with the allowed peers); default: every server's")
    .action(
      action(async (ctx, opts: { out: string; format: 'zcert' | 'pyzmq'; force?: boolean; server?: string }) => {
        const { exportPeerAllowlist } = await import('../../core/peers/allowlist.js');
        const { leftLine, withForceHint } = await import('../force-hint.js');
        const result = await withForceHint(() => exportPeerAllowlist(ctx.workspace(), opts.out, opts.format, { force: Boolean(opts.force) }, opts.server ?? null));
        const text = [`wrote ${result.files.length} certificate(s) to ${result.dir}${result.removed.length ? `, removed ${result.removed.length} stale` : ''}`, ...leftLine(result.left)];
        if (result.files.length === 0) text.push('no peer is allowed (and no device provisioned for the server): put a peer on the allowlist with `curvekeep peers allow NAME`, then write the folder again');
        return { json: result, text: text.join('\n') };
      }),
    );
}
