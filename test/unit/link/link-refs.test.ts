// Endpoint parsing, and what serve and sweep resolve from the store document (pure functions).
import { describe, expect, test } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { InvalidInputError, NotFoundError } from '../../../src-main/core/errors.js';
import { AmbiguousServerRefError } from '../../../src-main/core/usecases/link-target.js';
import { parseEndpoint } from '../../../src-main/core/link/endpoint.js';
import { planSweep, resolveAllowlist } from '../../../src-main/core/link/link-refs.js';
import { type DocumentData, emptyDocument } from '../../../src-main/core/store/document.js';

const at = '2025-01-01T00:00:00.000Z';
const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()];

function document(): DocumentData {
  const data = emptyDocument();
  const peer = (id: string, name: string, key: string, allowed: boolean, endpoints: string[]) => ({
    id, name, publicKey: key, endpoints, tags: [], allowed, createdAt: at, verification: { state: 'unverified' as const },
  });
  data.peers.push(
    peer('p1', 'gw-1', keys[0]!.publicKey, true, ['tcp://127.0.0.1:5555', 'ipc:///tmp/gw']),
    peer('p2', 'gw-2', keys[1]!.publicKey, false, ['127.0.0.2:5555']),
  );
  data.identities.push({
    id: 'i1', name: 'laptop', role: 'client', tags: [], endpoints: [], createdAt: at, rotateEveryDays: null,
    generations: [
      { generation: 1, publicKey: keys[2]!.publicKey, state: 'current', createdAt: at },
      { generation: 2, publicKey: keys[3]!.publicKey, state: 'pending', createdAt: at },
    ],
  });
  return data;
}

describe('parseEndpoint', () => {
  test('normalises what people type', () => {
    expect(parseEndpoint('127.0.0.7:5555')).toEqual({ endpoint: 'tcp://127.0.0.7:5555', host: '127.0.0.7', port: 5555 });
    expect(parseEndpoint(' tcp://gateway.local:1 ')).toMatchObject({ host: 'gateway.local', port: 1 });
    expect(parseEndpoint('tcp://[::1]:5555')).toEqual({ endpoint: 'tcp://[::1]:5555', host: '::1', port: 5555 });
    expect(parseEndpoint('tcp://*:0', true)).toMatchObject({ host: '*', port: 0 });
  });

  test('refuses the rest, naming the input', () => {
    for (const bad of ['ipc:///tmp/x', 'tcp://host', 'tcp://host:0', 'tcp://host:65536', 'tcp://*:5555', 'tcp://a b:1', '']) {
      expect(() => parseEndpoint(bad), bad).toThrow(InvalidInputError);
    }
    expect(() => parseEndpoint('tcp://host')).toThrow('"tcp://host"');
  });
});

describe('resolveAllowlist', () => {
  test('peers (the default) admits the allowed peers and names every known key', () => {
    const list = resolveAllowlist(document(), []);
    expect(list.allow).toEqual([{ publicKey: keys[0]!.publicKey, name: 'gw-1' }]);
    expect(list.known.map((k) => k.name)).toEqual(['gw-1', 'gw-2', 'laptop', 'laptop']);
    expect(list.description).toBe('1 allowed peer');
  });

  test('any, and references to peers and own identities (current and pending keys)', () => {
    expect(resolveAllowlist(document(), ['any']).allow).toBe('any');
    const listed = resolveAllowlist(document(), ['gw-2', 'laptop']).allow;
    expect(listed).toEqual([
      { publicKey: keys[1]!.publicKey, name: 'gw-2' },
      { publicKey: keys[2]!.publicKey, name: 'laptop' },
      { publicKey: keys[3]!.publicKey, name: 'laptop' },
    ]);
  });

  test('unknown references and mixes are refused', () => {
    expect(() => resolveAllowlist(document(), ['nobody'])).toThrow(NotFoundError);
    expect(() => resolveAllowlist(document(), ['any', 'gw-1'])).toThrow(InvalidInputError);
  });
});

describe('planSweep', () => {
  test('every TCP endpoint of every peer; other transports are skipped with a reason', () => {
    const plan = planSweep(document(), [], {});
    expect(plan.entries).toEqual([
      { endpoint: 'tcp://127.0.0.1:5555', serverKey: keys[0]!.publicKey, peerId: 'p1', peerName: 'gw-1' },
      { endpoint: 'tcp://127.0.0.2:5555', serverKey: keys[1]!.publicKey, peerId: 'p2', peerName: 'gw-2' },
    ]);
    expect(plan.skipped).toEqual([{ kind: 'peer', peerId: 'p1', peerName: 'gw-1', endpoint: 'ipc:///tmp/gw', reason: 'not-tcp' }]);
  });

  test('named peers only; a peer with no endpoint, or only non-TCP ones, is skipped, not fatal', () => {
    const data = document();
    data.peers.push({ ...data.peers[1]!, id: 'p3', name: 'gw-3', endpoints: [] });
    data.peers.push({ ...data.peers[1]!, id: 'p4', name: 'gw-4', endpoints: ['ipc:///tmp/only'] });
    const plan = planSweep(data, [], { peers: ['gw-1', 'gw-3', 'p4'] });
    expect(plan.entries.map((e) => e.peerName)).toEqual(['gw-1']);
    expect(plan.skipped).toEqual([
      { kind: 'peer', peerId: 'p1', peerName: 'gw-1', endpoint: 'ipc:///tmp/gw', reason: 'not-tcp' },
      { kind: 'peer', peerId: 'p3', peerName: 'gw-3', endpoint: null, reason: 'no-endpoint' },
      { kind: 'peer', peerId: 'p4', peerName: 'gw-4', endpoint: 'ipc:///tmp/only', reason: 'not-tcp' },
    ]);
    expect(() => planSweep(data, [], { peers: ['gw-4'] })).toThrow(/nothing to sweep/);
  });

  test('given endpoints use the peer that lists them, or the server key given', () => {
    const serverKey = keys[3]!.publicKey;
    const plan = planSweep(document(), ['127.0.0.2:5555', 'tcp://127.0.0.9:1'], { serverKey });
    expect(plan.entries).toEqual([
      { endpoint: 'tcp://127.0.0.2:5555', serverKey: keys[1]!.publicKey, peerId: 'p2', peerName: 'gw-2' },
      { endpoint: 'tcp://127.0.0.9:1', serverKey },
    ]);
    expect(() => planSweep(document(), ['tcp://127.0.0.9:1'], {})).toThrow(/server key/);
    expect(() => planSweep(emptyDocument(), [], {})).toThrow(/nothing to sweep/);
  });

  test('named own identities (e.g. our own server) are swept with their current key, beside peers; ambiguous and unknown names are errors', () => {
    const data = document();
    data.identities.push({
      id: 'i2', name: 'gateway', role: 'server', tags: [], endpoints: ['tcp://127.0.0.1:5555', 'ipc:///tmp/gateway'], createdAt: at, rotateEveryDays: null,
      generations: [
        { generation: 1, publicKey: keys[1]!.publicKey, state: 'previous', createdAt: at },
        { generation: 2, publicKey: keys[3]!.publicKey, state: 'current', createdAt: at },
      ],
    });
    const plan = planSweep(data, [], { peers: ['gateway', 'gw-2', 'laptop'] });
    expect(plan.entries).toEqual([
      { endpoint: 'tcp://127.0.0.2:5555', serverKey: keys[1]!.publicKey, peerId: 'p2', peerName: 'gw-2' },
      { endpoint: 'tcp://127.0.0.1:5555', serverKey: keys[3]!.publicKey, identityId: 'i2', identityName: 'gateway' },
    ]);
    expect(plan.skipped).toEqual([
      { kind: 'identity', peerId: 'i2', peerName: 'gateway', endpoint: 'ipc:///tmp/gateway', reason: 'not-tcp' },
      { kind: 'identity', peerId: 'i1', peerName: 'laptop', endpoint: null, reason: 'no-endpoint' },
    ]);

    data.peers.push({ ...data.peers[1]!, id: 'p5', name: 'gateway' });
    expect(() => planSweep(data, [], { peers: ['gateway'] })).toThrow(AmbiguousServerRefError);
    expect(() => planSweep(data, [], { peers: ['gateway'] })).toThrow(/peer gateway \(id p5\) and own identity gateway \(id i2\)/);
    expect(planSweep(data, [], { peers: ['i2'] }).entries.map((e) => e.identityName)).toEqual(['gateway']);
    expect(() => planSweep(data, [], { peers: ['nobody'] })).toThrow(NotFoundError);
  });
});
