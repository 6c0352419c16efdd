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

describe('the devices list check', () => {
  const device = { id: 'dev_1', name: 'd', publicKey: key('e'), server: 'id_srv', batch: null, bundleDir: null, tags: [], state: 'active', createdAt: at, keptSecret: false };
  const doc = (devices: unknown[]) => ({ identities: [], peers: [], pinSets: [], backupKeys: [], devices, auditHead: { seq: 0, hash: '' } });

  it('accepts good devices as they are', () => {
    expect(DocumentDataSchema.parse(doc([device, { ...device, id: 'dev_2', previousPublicKey: key('f'), removedAt: at, state: 'removed' }])).devices).toHaveLength(2);
  });

  it.each([
    ['a short key', { publicKey: 'abc' }, 'devices.0.publicKey'],
    ['a bad state', { state: 'gone' }, 'devices.0.state'],
    ['a bad time', { createdAt: '2026-13-45T00:00:00Z' }, 'devices.0.createdAt'],
    ['no server', { server: undefined }, 'devices.0.server'],
    ['a number for a tag', { tags: [1] }, 'devices.0.tags.0'],
  ])('refuses %s, naming the field', (_what, change, path) => {
    const result = DocumentDataSchema.safeParse(doc([{ ...device, ...change }]));
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path.join('.')).toBe(path);
  });

  it('drops unknown keys as zod does', () => {
    const parsed = DocumentDataSchema.parse(doc([{ ...device, extra: 1 }]));
    expect(parsed.devices[0]).not.toHaveProperty('extra');
  });
});
