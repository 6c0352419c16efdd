// The ZMTP probe against real listeners: libzmq (ours and pyzmq's) and hostile TCP servers.
import { type Server, type Socket, createServer } from 'node:net';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { probeEndpoint } from '../../../src-main/core/link/probe.js';
import { startResponder } from '../../../src-main/core/link/responder.js';
import { GREETING_PREFIX } from '../../../src-main/core/link/zmtp-greeting.js';
import { closedPort, startPeer, stopAllPeers } from '../../helpers/link/peers.js';

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});
afterAll(stopAllPeers);

/** A TCP server on a free loopback port that treats each connection with `onConnection`. */
async function tcpServer(onConnection: (socket: Socket) => void): Promise<string> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('probeEndpoint against ZeroMQ peers', () => {
  // libzmq always sends 0 in the as-server byte, whatever the socket is: only the mechanism counts.
  test('our CURVE responder: ZMTP 3.x, CURVE', async () => {
    const keys = generateKeyPair();
    const responder = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server: keys, allow: 'any' });
    try {
      const result = await probeEndpoint(responder.endpoint);
      expect(result).toMatchObject({ outcome: 'zmtp', zmtp: true, mechanism: 'CURVE', asServer: expect.any(Boolean) });
      if (result.zmtp) expect(result.version).toMatch(/^3\.\d$/);
    } finally {
      await responder.close();
    }
  });

  test('pyzmq NULL and PLAIN servers', async () => {
    const nullPeer = await startPeer('null-rep');
    const plainPeer = await startPeer('plain-rep');
    expect(await probeEndpoint(nullPeer.endpoint)).toMatchObject({ zmtp: true, mechanism: 'NULL' });
    expect(await probeEndpoint(plainPeer.endpoint)).toMatchObject({ zmtp: true, mechanism: 'PLAIN' });
  });
});

describe('probeEndpoint against peers that are not ZeroMQ', () => {
  test('sends only the greeting prefix, never a mechanism', async () => {
    let received = Buffer.alloc(0);
    const endpoint = await tcpServer((socket) => socket.on('data', (chunk: Buffer) => { received = Buffer.concat([received, chunk]); }));
    await probeEndpoint(endpoint, { timeoutMs: 300 });
    expect([...received]).toEqual([...GREETING_PREFIX]);
  });

  test('a silent peer: timeout at the limit, not hanging', async () => {
    const endpoint = await tcpServer(() => undefined);
    const started = performance.now();
    const result = await probeEndpoint(endpoint, { timeoutMs: 500 });
    expect(result).toMatchObject({ outcome: 'timeout', zmtp: false });
    expect(result.detail).toContain('no greeting');
    // Room for a loaded machine's timer lag (these tests run beside others).
    expect(performance.now() - started).toBeLessThan(1500);
  });

  test('half a greeting then silence: timeout, saying how much came', async () => {
    const endpoint = await tcpServer((socket) => socket.write(Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1, 0x43])));
    const result = await probeEndpoint(endpoint, { timeoutMs: 300 });
    expect(result.outcome).toBe('timeout');
    expect(result.detail).toContain('13 of 64');
  });

  test('garbage: not-zmtp at once, showing the first bytes', async () => {
    const endpoint = await tcpServer((socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n'));
    const result = await probeEndpoint(endpoint, { timeoutMs: 2000 });
    expect(result).toMatchObject({ outcome: 'not-zmtp', seen: expect.stringContaining('SSH-2.0') });
    // Before the 2 s limit: decided by the bytes, not by the timer.
    expect(result.ms).toBeLessThan(1500);
  });

  test('a peer that closes at once: not-zmtp', async () => {
    const endpoint = await tcpServer((socket) => socket.end());
    const result = await probeEndpoint(endpoint, { timeoutMs: 2000 });
    expect(result).toMatchObject({ outcome: 'not-zmtp', detail: expect.stringContaining('closed') });
  });

  test('a peer that sends without end: decided from 64 bytes, the connection dropped', async () => {
    let closed = false;
    const endpoint = await tcpServer((socket) => {
      socket.on('close', () => { closed = true; });
      const chunk = Buffer.concat([Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0]), Buffer.alloc(1 << 16, 0x41)]);
      const pump = (): void => {
        while (!socket.destroyed && socket.write(chunk));
      };
      socket.on('drain', pump);
      pump();
    });
    const before = process.memoryUsage().arrayBuffers;
    const result = await probeEndpoint(endpoint, { timeoutMs: 2000 });
    expect(result.outcome).toBe('not-zmtp');
    await expect.poll(() => closed, { timeout: 2000 }).toBe(true);
    // The probe kept nothing of the stream: memory did not grow with what the peer pushed.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 << 20);
  });

  test('the endless-data pyzmq peer (random after a valid signature): not-zmtp', async () => {
    const peer = await startPeer('endless');
    expect((await probeEndpoint(peer.endpoint, { timeoutMs: 2000 })).outcome).toBe('not-zmtp');
  });

  test('a closed port: unreachable (ECONNREFUSED)', async () => {
    const result = await probeEndpoint(`tcp://127.0.0.1:${await closedPort()}`);
    expect(result).toMatchObject({ outcome: 'unreachable', detail: expect.stringContaining('ECONNREFUSED') });
  });

  test('a name that does not resolve: unreachable', async () => {
    const result = await probeEndpoint('tcp://no-such-host.invalid:5555', { timeoutMs: 3000 });
    expect(result.outcome).toBe('unreachable');
  });

  test('cancellation rejects with the reason and closes the connection', async () => {
    let closed = false;
    const endpoint = await tcpServer((socket) => socket.resume().on('close', () => { closed = true; }));
    const controller = new AbortController();
    const probing = probeEndpoint(endpoint, { timeoutMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by test')), 50);
    await expect(probing).rejects.toThrow('cancelled by test');
    await expect.poll(() => closed, { timeout: 2000 }).toBe(true);
  });

  test('bad endpoints and timeouts are input errors', () => {
    expect(() => probeEndpoint('http://example.com')).toThrow(InvalidInputError);
    expect(() => probeEndpoint('tcp://*:5555')).toThrow(/wildcard/);
    expect(() => probeEndpoint('tcp://host:70000')).toThrow(/port/);
    expect(() => probeEndpoint('tcp://host:1', { timeoutMs: 0 })).toThrow(/timeout/);
  });
});
