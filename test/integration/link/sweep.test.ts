// Sweeps over real responders, closed ports and a black hole; per-peer history in the sealed store.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import type { LinkTestOptions } from '../../../src-main/core/link/curve-test.js';
import { recordLinkHistory } from '../../../src-main/core/link/history.js';
import { type Responder, startResponder } from '../../../src-main/core/link/responder.js';
import { countVerdicts, sweepLinks } from '../../../src-main/core/link/sweep.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { closedPort, startPeer, stopAllPeers } from '../../helpers/link/peers.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const server = generateKeyPair();
const client = generateKeyPair();
const responders: Responder[] = [];

beforeAll(async () => {
  for (let i = 0; i < 3; i++) responders.push(await startResponder({ endpoint: 'tcp://127.0.0.1:0', server, allow: 'any' }));
});
afterAll(async () => {
  await Promise.all(responders.map((r) => r.close()));
  await stopAllPeers();
});

function target(endpoint: string, timeoutMs = 2000): LinkTestOptions {
  return { endpoint, serverKey: server.publicKey, client, timeoutMs };
}

describe('sweepLinks', () => {
  test('results come in input order, with progress for each', async () => {
    const closed = await closedPort();
    const targets = [
      target(responders[0]!.endpoint),
      target(`tcp://127.0.0.1:${closed}`),
      target(responders[1]!.endpoint),
      { ...target(responders[2]!.endpoint), serverKey: client.publicKey },
    ];
    const progress: number[] = [];
    const results = await sweepLinks(targets, { concurrency: 3, onProgress: (p) => progress.push(p.done) });
    expect(results.map((r) => r.verdict)).toEqual(['ok', 'unreachable', 'ok', 'wrong-server-key']);
    expect(results.map((r) => r.endpoint)).toEqual(targets.map((t) => t.endpoint));
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(countVerdicts(results)).toEqual([['ok', 2], ['unreachable', 1], ['wrong-server-key', 1]]);
  });

  test('concurrency bounds how many tests run at once', async () => {
    const hole = await startPeer('blackhole');
    const targets = Array.from({ length: 4 }, () => target(hole.endpoint, 300));
    const started = performance.now();
    const results = await sweepLinks(targets, { concurrency: 2 });
    expect(results.every((r) => r.verdict === 'timeout')).toBe(true);
    // Two rounds of two: the sweep cannot be shorter than two timeouts.
    expect(performance.now() - started).toBeGreaterThanOrEqual(590);
  });

  test('a bad target is refused before any connection is made', async () => {
    await expect(sweepLinks([target(responders[0]!.endpoint), target('not an endpoint')])).rejects.toThrow(InvalidInputError);
    await expect(sweepLinks([target(responders[0]!.endpoint)], { concurrency: 0 })).rejects.toThrow(/concurrency/);
  });

  test('an empty sweep is an empty result', async () => {
    expect(await sweepLinks([])).toEqual([]);
  });
});

describe('recordLinkHistory', () => {
  let t: TestWorkspace;
  beforeAll(() => {
    t = testWorkspace('link-history');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  test('keeps the last verdict and the last success per peer', async () => {
    const gateway = await addPeer(t.ws, { name: 'gateway-07', publicKey: server.publicKey, endpoints: [responders[0]!.endpoint] });
    const [first] = await sweepLinks([target(responders[0]!.endpoint)]);
    expect(await recordLinkHistory(t.ws, [{ peerId: gateway.id, result: first! }])).toBe(1);
    let peer = (await t.ws.store.read()).data.peers.find((p) => p.id === gateway.id)!;
    expect(peer.link).toMatchObject({ lastVerdict: 'ok', lastEndpoint: responders[0]!.endpoint });
    const successAt = peer.link!.lastSuccessAt;
    expect(successAt).toBe(peer.link!.lastAt);

    await recordLinkHistory(t.ws, [
      { peerId: gateway.id, result: { verdict: 'unreachable', endpoint: 'tcp://127.0.0.1:1' } },
      { peerId: 'removed-meanwhile', result: { verdict: 'ok', endpoint: 'tcp://127.0.0.1:2' } },
    ]);
    peer = (await t.ws.store.read()).data.peers.find((p) => p.id === gateway.id)!;
    expect(peer.link).toMatchObject({ lastVerdict: 'unreachable', lastEndpoint: 'tcp://127.0.0.1:1', lastSuccessAt: successAt });
  });
});
