import { describe, expect, it } from 'vitest';
import { DocumentDataSchema } from '../../../src-main/core/store/document.js';
import { migrate } from '../../../src-main/core/store/migrations.js';

const key = (c: string) => c.repeat(40);
const at = '2026-01-01T00:00:00.000Z';

function v1() {
  return {
    identities: [
      { id: 'id_srv', name: 'gw', role: 'server', tags: [], endpoints: ['tcp://127.0.0.1:7000'], createdAt: at, rotateEveryDays: 365, generations: [{ generation: 1, publicKey: key('a'), state: 'current', createdAt: at }] },
      { id: 'id_dev', name: 'dev-kept', role: 'device', tags: ['provisioned'], endpoints: ['tcp://127.0.0.1:7000'], createdAt: at, rotateEveryDays: 365, generations: [{ generation: 1, publicKey: key('k'), state: 'current', createdAt: at }] },
    ],
    peers: [
      { id: 'peer_1', name: 'dev-1', publicKey: key('b'), endpoints: ['tcp://127.0.0.1:7000'], tags: ['site-a', 'provisioned'], allowed: true, createdAt: at, source: 'provision', verification: { state: 'verified' } },
      { id: 'peer_2', name: 'dev-kept', publicKey: key('k'), endpoints: ['tcp://127.0.0.1:7000'], tags: ['provisioned'], allowed: true, createdAt: at, source: 'provision', verification: { state: 'verified' } },
      { id: 'peer_3', name: 'orphan', publicKey: key('c'), endpoints: ['tcp://127.0.0.1:9'], tags: ['provisioned'], allowed: true, createdAt: at, source: 'provision', verification: { state: 'unverified' } },
      { id: 'peer_4', name: 'partner', publicKey: key('d'), endpoints: ['tcp://127.0.0.1:7000'], tags: [], allowed: true, createdAt: at, verification: { state: 'unverified' } },
    ],
    pinSets: [],
    backupKeys: [],
    auditHead: { seq: 0, hash: '' },
  };
}

describe('schema 1 → 2: provisioned peers become devices', () => {
  it('moves the provisioned peers whose server is known, and only them', () => {
    const data = DocumentDataSchema.parse(migrate(1, v1(), 'x.json'));
    expect(data.peers.map((p) => p.name)).toEqual(['orphan', 'partner']);
    expect(data.devices).toHaveLength(2);
    const d = data.devices.find((x) => x.name === 'dev-1')!;
    expect(d).toMatchObject({ server: 'id_srv', batch: null, bundleDir: null, tags: ['site-a'], state: 'active', keptSecret: false, publicKey: key('b') });
    expect(data.devices.find((x) => x.name === 'dev-kept')!.keptSecret).toBe(true);
    expect(data.batches).toEqual([]);
  });

  it('gives the same ids on every read (derived, not random)', () => {
    const a = migrate(1, v1(), 'x.json').devices as Array<{ id: string }>;
    const b = migrate(1, v1(), 'x.json').devices as Array<{ id: string }>;
    expect(a.map((x) => x.id)).toEqual(b.map((x) => x.id));
  });

  it('a version-2 document without devices reads with empty lists', () => {
    const { peers, ...rest } = v1();
    const data = DocumentDataSchema.parse({ ...rest, peers: [] });
    expect(peers).toHaveLength(4);
    expect(data.devices).toEqual([]);
    expect(data.batches).toEqual([]);
  });
});
