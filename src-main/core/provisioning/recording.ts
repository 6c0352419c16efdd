// Recording a provisioning run: one store update makes every device an allowed peer tagged
// `provisioned` (the server must admit it), and with kept secrets an identity of role device whose
// secret is in the keychain under the usual `identity:ID:1` account, written before the document
// (a crash leaves an item the rerun adopts, never an identity without its secret).
import { InvalidInputError } from '../errors.js';
import { secretAccount } from '../identities/identities.js';
import { newId } from '../names.js';
import { DEFAULT_ROTATION_DAYS } from '../rotation/policy.js';
import type { Peer } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import type { Made } from './bundle-writer.js';
import { eachLimited } from './each-limited.js';
import type { RowResult } from './plan.js';

export const PROVISION_TAG = 'provisioned';

/**
 * Tests only: CURVEKEEP_TEST_CRASH=rows:N or secrets:N kills this process (SIGKILL) after the
 * Nth bundle or keychain write, to prove that a rerun completes an interrupted run.
 */
export function crashPoint(kind: 'rows' | 'secrets', count: number): void {
  if (process.env.CURVEKEEP_TEST_CRASH === `${kind}:${count}`) process.kill(process.pid, 'SIGKILL');
}

export async function recordDevices(
  ws: Workspace,
  made: Made[],
  keepSecrets: boolean,
  results: RowResult[],
  outDir: string,
): Promise<{ peersAdded: number; secretsKept: number }> {
  const kept: Array<{ made: Made; id: string; account: string }> = [];
  if (keepSecrets) {
    // Before the document, like every identity: a crash leaves a stray item, never a key without secret.
    const withSecret = made.filter((m) => m.secretKey !== null);
    await eachLimited(withSecret, 8, async (m) => {
      const id = m.identityId ?? newId('id');
      const account = secretAccount(id, 1);
      await ws.secrets.set(account, m.secretKey!);
      m.secretKey = null;
      kept.push({ made: m, id, account });
      crashPoint('secrets', kept.length);
    });
  }
  try {
    return await ws.store.update((tx) => {
      const at = tx.now.toISOString();
      const peers = new Map(tx.data.peers.map((p) => [p.name, p]));
      const identityNames = new Set(tx.data.identities.map((i) => i.name));
      let peersAdded = 0;
      for (const m of made) {
        const { device } = m;
        const existing = peers.get(device.name);
        if (existing) {
          if (existing.publicKey === m.publicKey) continue;
          // Changed since the rows were checked (another run): the bundle stays, the peer is not replaced.
          results[device.index] = { ...results[device.index]!, status: 'failed', reason: `a peer named ${device.name} appeared meanwhile with another key; not recorded` };
          continue;
        }
        const peer: Peer = {
          id: newId('peer'),
          name: device.name,
          publicKey: m.publicKey,
          endpoints: [device.endpoint],
          tags: [...new Set([...device.tags, PROVISION_TAG])],
          allowed: true,
          createdAt: at,
          source: 'provision',
          // A key made here is authentic by construction; a key brought in the CSV is not checked yet.
          verification: device.publicKey === null ? { state: 'verified', at, by: 'provisioning (key made here)' } : { state: 'unverified' },
        };
        tx.data.peers.push(peer);
        peers.set(peer.name, peer);
        peersAdded += 1;
        tx.audit({ action: 'peer.added', subject: peer.name, details: { id: peer.id, publicKey: peer.publicKey, allowed: true, source: 'provision' } });
      }
      for (const k of kept) {
        const { device } = k.made;
        if (identityNames.has(device.name)) throw new InvalidInputError(`an identity named ${device.name} appeared meanwhile; run again`);
        tx.data.identities.push({
          id: k.id,
          name: device.name,
          role: 'device',
          tags: [...new Set([...device.tags, PROVISION_TAG])],
          endpoints: [device.endpoint],
          createdAt: at,
          rotateEveryDays: DEFAULT_ROTATION_DAYS.device,
          generations: [{ generation: 1, publicKey: k.made.publicKey, state: 'current', createdAt: at }],
        });
        tx.audit({ action: 'identity.provisioned', subject: device.name, details: { id: k.id, role: 'device', publicKey: k.made.publicKey } });
      }
      tx.audit({
        action: 'provision.completed',
        subject: outDir,
        details: {
          ok: results.filter((r) => r.status === 'ok').length,
          skipped: results.filter((r) => r.status === 'skipped').length,
          failed: results.filter((r) => r.status === 'failed').length,
          peersAdded,
          secretsKept: kept.length,
        },
      });
      return { peersAdded, secretsKept: kept.length };
    });
  } catch (error) {
    await Promise.all(kept.map((k) => ws.secrets.delete(k.account).catch(() => undefined)));
    throw error;
  }
}
