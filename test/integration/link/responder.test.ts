// Our CURVE echo responder and its ZAP allowlist, against pyzmq clients and against testLink.
import * as zmq from 'zeromq';
import { afterEach, describe, expect, test } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { safetyCode } from '../../../src-main/core/curve/safety-code.js';
import { NetworkError } from '../../../src-main/core/errors.js';
import { testLink } from '../../../src-main/core/link/curve-test.js';
import { type ClientEvent, type Responder, type ResponderOptions, startResponder } from '../../../src-main/core/link/responder.js';
import { socketEvents } from '../../../src-main/core/link/socket-events.js';
import { registerZapPolicy } from '../../../src-main/core/link/zap.js';
import { runClient } from '../../helpers/link/peers.js';

const server = generateKeyPair();
const alice = generateKeyPair();
const mallory = generateKeyPair();

const open: Responder[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((responder) => responder.close()));
});

async function responder(extra: Partial<ResponderOptions> = {}): Promise<{ responder: Responder; events: ClientEvent[] }> {
  const events: ClientEvent[] = [];
  const started = await startResponder({
    endpoint: 'tcp://127.0.0.1:0',
    server,
    allow: [{ publicKey: alice.publicKey, name: 'alice-laptop' }],
    onClient: (event) => events.push(event),
    ...extra,
  });
  open.push(started);
  return { responder: started, events };
}

function pyClient(endpoint: string, keys: { publicKey: string; secretKey: string }) {
  return runClient('curve-client', [
    '--endpoint', endpoint, '--server-key', server.publicKey, '--public', keys.publicKey, '--secret', keys.secretKey, '--timeout', '1500',
  ]);
}

describe('responder against pyzmq clients', () => {
  test('an allowed key is echoed and logged by name and safety code', async () => {
    const { responder: r, events } = await responder();
    expect(r.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect((await pyClient(r.endpoint, alice)).echo).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      admitted: true, publicKey: alice.publicKey, name: 'alice-laptop', safetyCode: safetyCode(alice.publicKey), address: '127.0.0.1',
    });
    expect(r.stats).toEqual({ admitted: 1, refused: 0, echoed: 1 });
  });

  test('an unknown key is refused, not echoed, and logged with its safety code', async () => {
    const { responder: r, events } = await responder();
    expect((await pyClient(r.endpoint, mallory)).echo).toBe(false);
    expect(events[0]).toMatchObject({ admitted: false, publicKey: mallory.publicKey, safetyCode: safetyCode(mallory.publicKey) });
    expect(events[0]!.name).toBeUndefined();
    expect(r.stats.echoed).toBe(0);
  });

  test('allow any admits an unknown key, and names the ones it knows', async () => {
    const { responder: r, events } = await responder({ allow: 'any', known: [{ publicKey: alice.publicKey, name: 'alice-laptop' }] });
    expect((await pyClient(r.endpoint, mallory)).echo).toBe(true);
    expect((await pyClient(r.endpoint, alice)).echo).toBe(true);
    expect(events.map((e) => [e.admitted, e.name])).toEqual([[true, undefined], [true, 'alice-laptop']]);
  });
});

describe('responder against testLink', () => {
  test('an allowed client: ok with a round trip; an unknown one: rejected', async () => {
    const { responder: r } = await responder();
    const ok = await testLink({ endpoint: r.endpoint, serverKey: server.publicKey, client: alice, timeoutMs: 2000 });
    expect(ok.verdict).toBe('ok');
    expect(ok.rttMs).toBeGreaterThan(0);
    const refused = await testLink({ endpoint: r.endpoint, serverKey: server.publicKey, client: mallory, timeoutMs: 2000 });
    expect(refused.verdict).toBe('rejected');
  });

  test('two responders in one process each keep their own allowlist', async () => {
    const { responder: first } = await responder();
    const { responder: second } = await responder({ allow: [{ publicKey: mallory.publicKey }] });
    const test1 = await testLink({ endpoint: first.endpoint, serverKey: server.publicKey, client: mallory, timeoutMs: 2000 });
    const test2 = await testLink({ endpoint: second.endpoint, serverKey: server.publicKey, client: mallory, timeoutMs: 2000 });
    expect([test1.verdict, test2.verdict]).toEqual(['rejected', 'ok']);
  });

  test('after close the port is closed and a new responder can start', async () => {
    const { responder: r } = await responder();
    await r.close();
    await r.close();
    const after = await testLink({ endpoint: r.endpoint, serverKey: server.publicKey, client: alice, timeoutMs: 1000 });
    expect(after.verdict).toBe('unreachable');
    const { responder: again } = await responder({ endpoint: r.endpoint });
    expect((await testLink({ endpoint: again.endpoint, serverKey: server.publicKey, client: alice, timeoutMs: 2000 })).verdict).toBe('ok');
  });

  test('a port in use is a NetworkError that names the endpoint', async () => {
    const { responder: r } = await responder();
    await expect(startResponder({ endpoint: r.endpoint, server, allow: 'any' })).rejects.toThrow(NetworkError);
    // The failed start left no ZAP registration behind: the first responder still admits alice.
    expect((await testLink({ endpoint: r.endpoint, serverKey: server.publicKey, client: alice, timeoutMs: 2000 })).verdict).toBe('ok');
  });

  test('the server secret key must belong to the server public key', async () => {
    await expect(startResponder({ endpoint: 'tcp://127.0.0.1:0', server: { publicKey: server.publicKey, secretKey: alice.secretKey }, allow: 'any' }))
      .rejects.toThrow(/does not belong/);
  });
});

describe('ZAP handler', () => {
  test('a CURVE server in the same context with a domain nobody registered is answered (refused), not left waiting', async () => {
    const other = new zmq.Router({ linger: 0, curveServer: true, curveSecretKey: server.secretKey, zapDomain: 'unregistered' });
    const registration = await registerZapPolicy('some-domain', () => ({ status: 200, text: 'OK' }), zmq.context, other);
    try {
      await other.bind('tcp://127.0.0.1:0');
      const result = await testLink({ endpoint: other.lastEndpoint!, serverKey: server.publicKey, client: alice, timeoutMs: 2000 });
      expect(result.verdict).toBe('rejected');
    } finally {
      other.close();
      await registration.unregister();
    }
  });

  test('a policy that throws is answered 500 (auth-error)', async () => {
    const other = new zmq.Router({ linger: 0, curveServer: true, curveSecretKey: server.secretKey, zapDomain: 'throwing' });
    const registration = await registerZapPolicy('throwing', () => { throw new Error('boom'); }, zmq.context, other);
    try {
      await other.bind('tcp://127.0.0.1:0');
      const result = await testLink({ endpoint: other.lastEndpoint!, serverKey: server.publicKey, client: alice, timeoutMs: 2000 });
      expect(result.verdict).toBe('auth-error');
    } finally {
      other.close();
      await registration.unregister();
    }
  });

  test('unregistering waits until the server socket has ended all its sessions', async () => {
    const other = new zmq.Router({ linger: 0, curveServer: true, curveSecretKey: server.secretKey, zapDomain: 'waits' });
    const registration = await registerZapPolicy('waits', () => ({ status: 200, text: 'OK' }), zmq.context, other);
    let ended = false;
    // The registration reads the socket's events; a second reader must go through the same one.
    socketEvents(other).on('end', () => { ended = true; });
    await other.bind('tcp://127.0.0.1:0');
    expect((await testLink({ endpoint: other.lastEndpoint!, serverKey: server.publicKey, client: alice, timeoutMs: 2000 })).verdict).toBe('ok');
    other.close();
    await registration.unregister();
    expect(ended).toBe(true);
  });

  test('a domain cannot be registered twice', async () => {
    const registration = await registerZapPolicy('twice', () => ({ status: 200, text: 'OK' }));
    try {
      await expect(registerZapPolicy('twice', () => ({ status: 200, text: 'OK' }))).rejects.toThrow(/already/);
    } finally {
      await registration.unregister();
    }
  });
});
