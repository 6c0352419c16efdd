// The team workspace's signed audit chain: entries chain by hash, each signed with its actor's
// Ed25519 key; verification names the first entry that was edited, moved or signed by another key.
import { describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, makeSignedEntries, newSigningKey, publicKeyFromRaw, signingKeyFrom, verifySignedLog } from '../../../src-main/core/team/audit-signing.js';

const alice = newSigningKey();
const bob = newSigningKey();
const keys = new Map([
  ['alice', [alice.key.publicKey]],
  ['bob', [bob.key.publicKey]],
]);

function log() {
  const first = makeSignedEntries({ seq: 0, hash: '' }, [{ action: 'keys.generated', subject: 'gw', details: { role: 'server', n: 1 } }, { action: 'peers.added', subject: 'p1' }], '2026-12-01T05:00:00.000Z', 'alice', alice.key);
  const second = makeSignedEntries({ seq: 2, hash: first[1]!.hash }, [{ action: 'rotation.staged', subject: 'gw', details: { generation: 2 } }], '2026-12-01T05:01:00.000Z', 'bob', bob.key);
  return [...first, ...second];
}

describe('signed audit chain', () => {
  it('canonical JSON does not depend on key order (jsonb reorders keys)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    const e = log()[0]!;
    expect(entryHash({ ...e, details: { n: 1, role: 'server' } })).toBe(e.hash);
  });

  it('a key kept as the keychain item holds it signs the same way; the raw public key is 32 bytes', () => {
    const again = signingKeyFrom(alice.stored);
    expect(again.publicKey).toBe(alice.key.publicKey);
    expect(Buffer.from(alice.key.publicKey, 'base64')).toHaveLength(32);
    expect(publicKeyFromRaw(alice.key.publicKey)).not.toBeNull();
    expect(publicKeyFromRaw('AAAA')).toBeNull();
  });

  it('an intact log verifies', () => {
    expect(verifySignedLog(log(), keys)).toEqual({ ok: true, entries: 3 });
  });

  it('an edited entry is named', () => {
    const entries = log();
    entries[1] = { ...entries[1]!, subject: 'p2' };
    expect(verifySignedLog(entries, keys)).toMatchObject({ ok: false, broken: { seq: 2, position: 2, reason: expect.stringMatching(/does not match its hash/) } });
  });

  it('an entry re-hashed after an edit fails its signature', () => {
    const entries = log();
    const edited = { ...entries[2]!, details: { generation: 3 } };
    entries[2] = { ...edited, hash: entryHash(edited) };
    expect(verifySignedLog(entries, keys)).toMatchObject({ ok: false, broken: { seq: 3, reason: expect.stringMatching(/signature is not bob's/) } });
  });

  it('an entry claimed for another actor fails (signed by alice, actor bob)', () => {
    const forged = makeSignedEntries({ seq: 0, hash: '' }, [{ action: 'x', subject: 'y' }], '2026-12-01T05:00:00.000Z', 'bob', alice.key);
    expect(verifySignedLog(forged, keys)).toMatchObject({ ok: false, broken: { seq: 1, reason: expect.stringMatching(/not bob's/) } });
  });

  it('an entry signed with a key retired later (a lost keychain, a new key registered) still verifies', () => {
    const renewed = newSigningKey();
    expect(verifySignedLog(log(), new Map([['alice', [alice.key.publicKey]], ['bob', [renewed.key.publicKey, bob.key.publicKey]]]))).toMatchObject({ ok: true });
  });

  it('a removed entry and an actor without a registered key are named', () => {
    const entries = log();
    expect(verifySignedLog([entries[0]!, entries[2]!], keys)).toMatchObject({ ok: false, broken: { position: 2, seq: 3 } });
    expect(verifySignedLog(entries, new Map([['alice', [alice.key.publicKey]]]))).toMatchObject({ ok: false, broken: { seq: 3, reason: expect.stringMatching(/bob has no registered signing key/) } });
  });
});
