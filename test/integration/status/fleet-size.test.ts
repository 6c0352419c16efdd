// The status overview over a fleet past 125,000 items of one kind: its items were gathered with
// push(...list), one argument per item, which overflowed the stack there (the CLI's `status` and
// the app's Overview both failed). 150,000 unverified peers, written in one store update.
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { statusOverview, statusWindow } from '../../../src-main/core/usecases/status.js';
import { testWorkspace } from '../../helpers/workspace.js';

const PEERS = 150_000;

describe('status over a fleet', () => {
  const t = testWorkspace('status-fleet');
  afterAll(() => t.cleanup());

  it(`reports ${PEERS.toLocaleString('en-US')} unverified peers`, async () => {
    const publicKey = generateKeyPair().publicKey;
    await t.ws.store.update((tx) => {
      const createdAt = tx.now.toISOString();
      for (let i = 0; i < PEERS; i++) {
        tx.data.peers.push({ id: `peer_${String(i).padStart(12, '0')}`, name: `broker-${i}`, publicKey, endpoints: [], tags: [], allowed: false, createdAt, verification: { state: 'unverified' } });
      }
    });
    const report = await statusOverview(t.ws);
    expect(report.counts.peers).toBe(PEERS);
    expect(report.items.filter((i) => i.kind === 'peer-unverified')).toHaveLength(PEERS);
    // What the app's Overview asks for: a few of each kind, and how many there are.
    const window = statusWindow(report, { perKind: 5 });
    expect(window.byKind['peer-unverified']).toBe(PEERS);
    expect(window.items.filter((i) => i.kind === 'peer-unverified')).toHaveLength(5);
  }, 120_000);
});
