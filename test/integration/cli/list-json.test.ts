// `keys list --json` and `peers list --json` over stores of hundreds of entries: what the command
// writes a batch of rows at a time is byte for byte the JSON of the core's list.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { listIdentities } from '../../../src-main/core/identities/identities.js';
import { listPeers } from '../../../src-main/core/peers/peers.js';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
beforeAll(() => {
  t = testWorkspace('cli-list-json');
});
afterAll(async () => t.cleanup());

async function seed(from: number, to: number): Promise<void> {
  // Metadata only, in one update: listing reads no secret.
  await t.ws.store.update((tx) => {
    const createdAt = tx.now.toISOString();
    for (let i = from; i < to; i++) {
      const name = i === 42 ? 'capteur-été' : `device-${i}`;
      tx.data.identities.push({
        id: `id_list${i}`, name, role: 'device', tags: ['list'], endpoints: [],
        createdAt, rotateEveryDays: i % 2 ? 365 : null, generations: [{ generation: 1, publicKey: generateKeyPair().publicKey, state: 'current', createdAt }],
      });
      tx.data.peers.push({
        id: `peer_list${i}`, name, publicKey: generateKeyPair().publicKey, endpoints: [`tcp://127.0.0.1:${6000 + i}`], tags: ['list'],
        allowed: i % 2 === 0, createdAt, verification: { state: i % 3 === 0 ? 'verified' : 'unverified' },
        ...(i % 5 === 0 ? { link: { lastVerdict: 'ok', lastAt: createdAt } } : {}),
      });
    }
  });
}

it.each([[0, 0], [0, 100], [100, 250]])('after %i..%i added, each prints the JSON of the core list', async (from, to) => {
  await seed(from, to);
  for (const [command, list] of [['keys', () => listIdentities(t.ws)], ['peers', () => listPeers(t.ws)]] as const) {
    const result = await runCli(['--json', command, 'list'], t.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(await list())}\n`);
    expect(result.json<unknown[]>()).toHaveLength(to);
  }
});
