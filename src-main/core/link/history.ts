// Per-peer link history in the store (`peer.link`): the last verdict, when, where, and the last
// success, so that the app and `peers list` can show which links were last seen working.
import type { LinkHistory } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import type { LinkResult } from './verdict.js';

export interface PeerLinkResult {
  readonly peerId: string;
  readonly result: Pick<LinkResult, 'verdict' | 'endpoint'>;
}

/**
 * Records results in one store update. A peer removed while its test ran is skipped. Returns how
 * many peers were updated.
 */
export async function recordLinkHistory(ws: Workspace, results: ReadonlyArray<PeerLinkResult>): Promise<number> {
  if (results.length === 0) return 0;
  return ws.store.update((tx) => {
    const at = tx.now.toISOString();
    let updated = 0;
    for (const { peerId, result } of results) {
      const peer = tx.data.peers.find((candidate) => candidate.id === peerId);
      if (!peer) continue;
      const link: LinkHistory = {
        ...peer.link,
        lastVerdict: result.verdict,
        lastAt: at,
        lastEndpoint: result.endpoint,
        ...(result.verdict === 'ok' ? { lastSuccessAt: at } : {}),
      };
      peer.link = link;
      updated++;
    }
    return updated;
  });
}
