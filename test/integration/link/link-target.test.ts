// resolveLinkTarget: the server, endpoint and client of a link test, with one default per
// decision for both faces and the rotation test step, over a real store and keychain.
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { deleteIdentity, generateIdentity, secretAccount } from '../../../src-main/core/identities/identities.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { stageRotation } from '../../../src-main/core/rotation/rotation.js';
import {
  ClientIdentityChoiceError, NoTestableEndpointError, resolveLinkServer, resolveLinkTarget,
} from '../../../src-main/core/usecases/link-target.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
const peerKey = generateKeyPair().publicKey;
let gateway: { id: string; publicKey: string };
let laptop: { id: string; publicKey: string };

beforeAll(async () => {
  t = testWorkspace('link-target');
  gateway = await generateIdentity(t.ws, { name: 'gateway', role: 'server', endpoints: ['ipc:///tmp/gw', 'tcp://127.0.0.1:7001'] });
  laptop = await generateIdentity(t.ws, { name: 'laptop', role: 'client' });
  await addPeer(t.ws, { name: 'broker', publicKey: peerKey, endpoints: ['ipc:///tmp/broker', '127.0.0.1:7002', 'tcp://127.0.0.1:7003'] });
  await addPeer(t.ws, { name: 'no-tcp', publicKey: peerKey, endpoints: ['ipc:///tmp/only'] });
  await addPeer(t.ws, { name: 'bare', publicKey: peerKey, endpoints: [] });
});

afterAll(async () => {
  await t?.cleanup();
});

describe('the server side', () => {
  test("a peer: its key and its first TCP endpoint, normalised; a typed endpoint wins", async () => {
    const { data } = await t.ws.store.read();
    expect(resolveLinkServer(data, { peer: 'broker' })).toMatchObject({
      endpoint: 'tcp://127.0.0.1:7002', serverKey: peerKey, server: { kind: 'peer', name: 'broker' }, endpointSource: 'stored',
    });
    expect(resolveLinkServer(data, { peer: 'broker', endpoint: '127.0.0.1:9' })).toMatchObject({ endpoint: 'tcp://127.0.0.1:9', endpointSource: 'given' });
  });

  test('an own identity: its current key and first TCP endpoint', async () => {
    const { data } = await t.ws.store.read();
    expect(resolveLinkServer(data, { identity: 'gateway' })).toMatchObject({
      endpoint: 'tcp://127.0.0.1:7001', serverKey: gateway.publicKey, server: { kind: 'identity', id: gateway.id, name: 'gateway' },
    });
  });

  test('no TCP endpoint: a typed error naming what is there', async () => {
    const { data } = await t.ws.store.read();
    const error = (() => { try { resolveLinkServer(data, { peer: 'no-tcp' }); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(NoTestableEndpointError);
    expect(error).toMatchObject({ code: 'no-testable-endpoint', target: { kind: 'peer', name: 'no-tcp' }, unusable: ['ipc:///tmp/only'] });
    expect(() => resolveLinkServer(data, { peer: 'bare' })).toThrow(NoTestableEndpointError);
  });

  test('exactly one of peer, identity, server key; a pasted key needs an endpoint', async () => {
    const { data } = await t.ws.store.read();
    expect(() => resolveLinkServer(data, {})).toThrow(InvalidInputError);
    expect(() => resolveLinkServer(data, { peer: 'broker', serverKey: peerKey })).toThrow(InvalidInputError);
    expect(() => resolveLinkServer(data, { serverKey: peerKey })).toThrow(/endpoint/);
    expect(resolveLinkServer(data, { serverKey: peerKey, endpoint: 'tcp://127.0.0.1:7004' })).toMatchObject({ server: { kind: 'key' } });
  });
});

describe('the client side', () => {
  test('default: the only usable client identity, with its secret; never the secret in `as`', async () => {
    const target = await resolveLinkTarget(t.ws, { peer: 'broker' });
    expect(target.as).toEqual({ id: laptop.id, name: 'laptop', publicKey: laptop.publicKey, generation: 1, oneTime: false, chosen: 'only-usable' });
    expect(target.pair.publicKey).toBe(laptop.publicKey);
    expect(JSON.stringify(target.as)).not.toContain(target.pair.secretKey);
  });

  test('one read of the document: the client comes from the same snapshot as the server', async () => {
    // Each read of a document read before asks the keychain for its sealed state again (a round
    // trip on every `curvekeep test`); the identity's key pair is taken from the first read.
    const read = vi.spyOn(t.ws.store, 'read');
    try {
      await resolveLinkTarget(t.ws, { peer: 'broker', as: 'laptop' });
      await resolveLinkTarget(t.ws, { peer: 'broker' });
      expect(read).toHaveBeenCalledTimes(2);
    } finally {
      read.mockRestore();
    }
  });

  test('a one-time key only when asked, and not together with a named identity', async () => {
    const target = await resolveLinkTarget(t.ws, { peer: 'broker', oneTimeKey: true });
    expect(target.as).toMatchObject({ id: null, oneTime: true, chosen: 'one-time' });
    expect(target.pair.publicKey).not.toBe(laptop.publicKey);
    await expect(resolveLinkTarget(t.ws, { peer: 'broker', oneTimeKey: true, as: 'laptop' })).rejects.toThrow(InvalidInputError);
  });

  test('the pending key of a rotation under way', async () => {
    const staged = await stageRotation(t.ws, 'laptop');
    const target = await resolveLinkTarget(t.ws, { peer: 'broker', as: 'laptop', pending: true });
    expect(target.as).toMatchObject({ publicKey: staged.publicKey, generation: 2, chosen: 'named' });
  });

  test('several usable identities, or none: a typed error asking to choose, listing the candidates', async () => {
    const tablet = await generateIdentity(t.ws, { name: 'tablet', role: 'device' });
    await expect(resolveLinkTarget(t.ws, { peer: 'broker' })).rejects.toMatchObject({
      code: 'choose-client-identity', reason: 'several', candidates: [{ id: laptop.id, name: 'laptop' }, { id: tablet.id, name: 'tablet' }],
    });
    // An identity whose secret is gone from the keychain is not usable: the other one is the default.
    await t.keychain.delete(secretAccount(tablet.id, 1));
    expect((await resolveLinkTarget(t.ws, { peer: 'broker' })).as.name).toBe('laptop');
    await deleteIdentity(t.ws, tablet.id);
    await deleteIdentity(t.ws, laptop.id);
    const none = resolveLinkTarget(t.ws, { peer: 'broker' });
    await expect(none).rejects.toBeInstanceOf(ClientIdentityChoiceError);
    await expect(none).rejects.toMatchObject({ reason: 'none', candidates: [] });
  });
});
