// The document as rows and the difference between two documents as row operations: only the rows
// and columns that differ are written (the database's column grants depend on it).
import { describe, expect, it } from 'vitest';
import { diffRows, isEmpty, rowsOf, attachLinkTests } from '../../../src-main/core/team/document-rows.js';
import { type DocumentData, emptyDocument } from '../../../src-main/core/store/document.js';

const KEY = 'A'.repeat(40);
const T = '2026-12-01T05:00:00.000Z';

function doc(): DocumentData {
  const d = emptyDocument();
  d.identities.push({ id: 'i1', name: 'gw', role: 'server', tags: [], endpoints: ['tcp://127.0.0.1:5555'], createdAt: T, rotateEveryDays: 90, generations: [{ generation: 1, publicKey: KEY, state: 'current', createdAt: T, lastTest: { endpoint: 'tcp://127.0.0.1:5555', verdict: 'ok', at: T } }] });
  d.peers.push({ id: 'p1', name: 'sensor', publicKey: KEY, endpoints: [], tags: ['a'], allowed: false, createdAt: T, verification: { state: 'unverified' } });
  for (let i = 0; i < 3; i++) d.devices.push({ id: `d${i}`, name: `dev-${i}`, publicKey: KEY, server: 'i1', batch: 'b1', bundleDir: null, tags: [], state: 'active', createdAt: T, keptSecret: false });
  return d;
}

describe('document rows', () => {
  it('the same document makes no change', () => {
    expect(isEmpty(diffRows(rowsOf(doc()), rowsOf(structuredClone(doc()))))).toBe(true);
  });

  it('a verification changes only the peer\'s verification column; a last test is a link_tests row, not the identity', () => {
    const before = doc();
    const after = structuredClone(before);
    after.peers[0]!.verification = { state: 'verified', at: T, by: 'tech1' };
    after.identities[0]!.generations[0]!.lastTest = { endpoint: 'tcp://127.0.0.1:5555', verdict: 'wrong-server-key', at: T };
    const d = diffRows(rowsOf(before), rowsOf(after));
    expect(d.peers.updates).toEqual([{ key: 'p1', row: { id: 'p1', verification: { state: 'verified', at: T, by: 'tech1' } }, columns: ['verification'] }]);
    expect(d.identities.updates).toEqual([]);
    expect(d.link_tests.updates).toHaveLength(1);
    expect(d.link_tests.updates[0]!.columns).toEqual(['record']);
  });

  it('inserts, deletes and an optional field cleared', () => {
    const before = doc();
    before.devices[0]!.endpoint = 'tcp://127.0.0.1:1';
    const after = structuredClone(before);
    after.devices.splice(1, 1);
    delete after.devices[0]!.endpoint;
    after.devices.push({ ...after.devices[0]!, id: 'd9', name: 'dev-9' });
    const d = diffRows(rowsOf(before), rowsOf(after));
    expect(d.devices.deletes.map((x) => x.key)).toEqual(['d1']);
    expect(d.devices.inserts.map((x) => x.id)).toEqual(['d9']);
    expect(d.devices.updates).toEqual([{ key: 'd0', row: { id: 'd0', endpoint: null }, columns: ['endpoint'] }]);
  });

  it('the identity row holds generations without their last test, and reading puts it back', () => {
    const rows = rowsOf(doc());
    const identity = rows.identities.get('i1')!;
    expect((identity.generations as Array<Record<string, unknown>>)[0]).not.toHaveProperty('lastTest');
    const read = structuredClone(doc().identities);
    delete read[0]!.generations[0]!.lastTest;
    attachLinkTests(read, [...rows.link_tests.values()] as never);
    expect(read).toEqual(doc().identities);
  });
});

describe('text[] as PostgreSQL writes it', () => {
  it('reads plain, quoted, escaped and empty elements', async () => {
    const { textArrayOf } = await import('../../../src-main/core/team/pg-store.js');
    expect(textArrayOf('{}')).toEqual([]);
    expect(textArrayOf('{plant-3,sensor}')).toEqual(['plant-3', 'sensor']);
    // As psql prints SELECT ARRAY['a','b c','d"e','x,y','',E'back\\\\','NULL']::text[]::text
    expect(textArrayOf('{a,"b c","d\\"e","x,y","","back\\\\","NULL"}')).toEqual(['a', 'b c', 'd"e', 'x,y', '', 'back\\', 'NULL']);
  });
});
