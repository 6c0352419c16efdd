// The benches' fleet: a server identity `plant-broker` and `count` devices of it in batches of
// 2,000, written in one store update (no keychain item per device: the benches measure lists and
// stores, not the keychain). Used by devices, ui and workspace benches alike.
import { generateKeyPair } from '../dist/main/core/curve/keys.js';
import { generateIdentity } from '../dist/main/core/identities/identities.js';

export const FLEET_BATCH = 2000;

/** Seeds `ws` (a core Workspace, local or team) and returns how long the devices' update took, in ms. */
export async function seedFleet(ws, count) {
  const server = await generateIdentity(ws, { name: 'plant-broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
  const start = performance.now();
  await ws.store.update((tx) => {
    const createdAt = tx.now.toISOString();
    for (let b = 0; b * FLEET_BATCH < count; b++) {
      const batch = `batch_bench${String(b).padStart(4, '0')}`;
      const outDir = `/tmp/curvekeep-bench-out/${batch}`;
      const n = Math.min(FLEET_BATCH, count - b * FLEET_BATCH);
      tx.data.batches.push({ id: batch, createdAt, csvName: `${batch}.csv`, server: server.id, outDir, counts: { rows: n, ok: n, skipped: 0, failed: 0 }, failed: [] });
      for (let i = 0; i < n; i++) {
        const name = `device-${String(b * FLEET_BATCH + i).padStart(6, '0')}`;
        tx.data.devices.push({
          id: `dev_${(b * FLEET_BATCH + i).toString(16).padStart(12, '0')}`, name, publicKey: generateKeyPair().publicKey, server: server.id,
          batch, bundleDir: `${outDir}/devices/${name}`, tags: ['plant-3', 'sensor'], state: 'active', createdAt, keptSecret: false, endpoint: 'tcp://127.0.0.1:5555',
        });
      }
    }
  });
  return performance.now() - start;
}
