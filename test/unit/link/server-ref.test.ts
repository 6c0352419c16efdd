// resolveServerRef / resolveLinkServer: the server to test may be a peer or an own identity;
// a name held by both is an error naming both (issue 12, "references that resolve").
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { NotFoundError } from '../../../src-main/core/errors.js';
import type { DocumentData } from '../../../src-main/core/store/document.js';
import { AmbiguousServerRefError, resolveLinkServer, resolveServerRef } from '../../../src-main/core/usecases/link-target.js';

const gatewayKey = generateKeyPair().publicKey;
const peerKey = generateKeyPair().publicKey;

function data(withPeerNamedGateway: boolean): DocumentData {
  const identity = {
    id: 'id_gw', name: 'gateway', role: 'server', endpoints: ['tcp://127.0.0.1:7000'], tags: [], rotateEveryDays: 365, createdAt: '2026-01-01T00:00:00.000Z',
    generations: [{ generation: 1, publicKey: gatewayKey, state: 'current', createdAt: '2026-01-01T00:00:00.000Z' }],
  };
  const peer = (id: string, name: string) => ({ id, name, publicKey: peerKey, endpoints: ['tcp://127.0.0.1:7001'], tags: [], allowed: false, createdAt: '2026-01-01T00:00:00.000Z' });
  return { identities: [identity], peers: withPeerNamedGateway ? [peer('pe_1', 'broker'), peer('pe_2', 'gateway')] : [peer('pe_1', 'broker')] } as unknown as DocumentData;
}

describe('a server reference resolves to a peer or an own identity', () => {
  it('a peer by name or id, an own identity by name or id', () => {
    expect(resolveServerRef(data(false), 'broker')).toEqual({ kind: 'peer', id: 'pe_1' });
    expect(resolveServerRef(data(false), 'pe_1')).toEqual({ kind: 'peer', id: 'pe_1' });
    expect(resolveServerRef(data(false), 'gateway')).toEqual({ kind: 'identity', id: 'id_gw' });
    expect(resolveServerRef(data(false), 'id_gw')).toEqual({ kind: 'identity', id: 'id_gw' });
  });

  it('resolveLinkServer with peer: an own identity gives its current key and first TCP endpoint', () => {
    const server = resolveLinkServer(data(false), { peer: 'gateway' });
    expect(server).toEqual({ endpoint: 'tcp://127.0.0.1:7000', serverKey: gatewayKey, server: { kind: 'identity', id: 'id_gw', name: 'gateway' }, endpointSource: 'stored' });
  });

  it('a name held by a peer and an identity is ambiguous, naming both; either id still resolves', () => {
    expect(() => resolveServerRef(data(true), 'gateway')).toThrow(AmbiguousServerRefError);
    expect(() => resolveLinkServer(data(true), { peer: 'gateway' })).toThrow(/"gateway" names both peer gateway \(id pe_2\) and own identity gateway \(id id_gw\)/);
    expect(resolveServerRef(data(true), 'pe_2')).toEqual({ kind: 'peer', id: 'pe_2' });
    expect(resolveServerRef(data(true), 'id_gw')).toEqual({ kind: 'identity', id: 'id_gw' });
  });

  it('a name held by neither is not found, saying both kinds were looked at', () => {
    expect(() => resolveServerRef(data(false), 'nowhere')).toThrow(NotFoundError);
    expect(() => resolveServerRef(data(false), 'nowhere')).toThrow(/no peer or own identity with id or name "nowhere"/);
  });
});
