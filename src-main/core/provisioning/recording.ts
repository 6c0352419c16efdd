// Recording a provisioning run: one store update records every device of the run (a device of
// the server, on its allowlist; not a peer) and the run's batch, and with kept secrets an identity of role device whose
// secret is in the keychain under the usual `identity:ID:1` account, written before the document
// (a crash leaves an item the rerun adopts, never an identity without its secret).
import { InvalidInputError } from '../errors.js';
import { type AllowEntry, allowlistEntries } from '../devices/devices.js';
import { secretAccount } from '../identities/identities.js';
import { newId } from '../names.js';
import { DEFAULT_ROTATION_DAYS } from '../rotation/policy.js';
import { basename, join } from 'node:path';
import type { Batch, Device as StoredDevice } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import type { Made } from './bundle-writer.js';
import { eachLimited } from './each-limited.js';
import type { RowResult, Server } from './plan.js';

export const PROVISION_TAG = 'provisioned';

/**
 * Tests only: CURVEKEEP_TEST_CRASH=rows:N or secrets:N kills this process (SIGKILL) after the
 * Nth bundle or keychain write, to prove that a rerun completes an interrupted run.
 */
export function crashPoint(kind: 'rows' | 'secrets', count: number): void {
  if (process.env.CURVEKEEP_TEST_CRASH === `${kind}:${count}`) process.kill(process.pid, 'SIGKILL');
}

export interface RecordRequest {
  readonly server: Server;
  readonly csvPath: string;
  /** The name the user knows the CSV by (an uploaded file's); default: the path's file name. */
  readonly csvName?: string | null;
  readonly outDir: string;
  readonly keepSecrets: boolean;
}

export async function recordDevices(
  ws: Workspace,
  made: Made[],
  request: Readonly<RecordRequest>,
  results: RowResult[],
): Promise<{ devicesAdded: number; secretsKept: number; batch: Batch; allowlist: AllowEntry[] }> {
  const { server, outDir, keepSecrets } = request;
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
  const keptNames = new Set(kept.map((k) => k.made.device.name));
  try {
    return await ws.store.update((tx) => {
      const at = tx.now.toISOString();
      const batchId = newId('batch');
      const mine = new Map(tx.data.devices.filter((d) => d.server === server.id && d.state === 'active').map((d) => [d.name, d]));
      const peerNames = new Set(tx.data.peers.map((p) => p.name));
      const identityNames = new Set(tx.data.identities.map((i) => i.name));
      let devicesAdded = 0;
      for (const m of made) {
        const { device } = m;
        const existing = mine.get(device.name);
        if (existing) {
          if (existing.publicKey === m.publicKey) continue;
          // Changed since the rows were checked (another run): the bundle stays, the device is not replaced.
          results[device.index] = { ...results[device.index]!, status: 'failed', reason: `a device named ${device.name} was provisioned meanwhile with another key; not recorded` };
          continue;
        }
        if (peerNames.has(device.name)) {
          results[device.index] = { ...results[device.index]!, status: 'failed', reason: `a peer named ${device.name} appeared meanwhile; not recorded` };
          continue;
        }
        const record: StoredDevice = {
          id: newId('dev'),
          name: device.name,
          publicKey: m.publicKey,
          server: server.id,
          batch: batchId,
          bundleDir: join(outDir, 'devices', device.name),
          tags: [...device.tags],
          state: 'active',
          createdAt: m.createdAt ?? at,
          keptSecret: keptNames.has(device.name) || (keepSecrets && identityNames.has(device.name)),
          endpoint: device.endpoint,
        };
        tx.data.devices.push(record);
        mine.set(record.name, record);
        devicesAdded += 1;
        tx.audit({ action: 'device.provisioned', subject: record.name, details: { id: record.id, server: server.id, batch: batchId, publicKey: record.publicKey } });
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
      const failed = results.filter((r) => r.status === 'failed');
      const batch: Batch = {
        id: batchId,
        createdAt: at,
        csvName: request.csvName?.trim() || basename(request.csvPath),
        server: server.id,
        outDir,
        counts: {
          rows: results.length,
          ok: results.filter((r) => r.status === 'ok').length,
          skipped: results.filter((r) => r.status === 'skipped').length,
          failed: failed.length,
        },
        failed: failed.map((r) => ({ row: r.row, name: r.name, reason: r.reason })),
      };
      tx.data.batches.push(batch);
      tx.audit({
        action: 'provision.completed',
        subject: outDir,
        details: { batch: batchId, server: server.id, ...batch.counts, devicesAdded, secretsKept: kept.length },
      });
      // The server's allowlist as this change leaves it: the output folder is synced to it
      // without reading the whole fleet again.
      return { devicesAdded, secretsKept: kept.length, batch, allowlist: allowlistEntries(tx.data, server.id) };
    });
  } catch (error) {
    await Promise.all(kept.map((k) => ws.secrets.delete(k.account).catch(() => undefined)));
    throw error;
  }
}
