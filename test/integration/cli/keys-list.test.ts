// `keys list --json` over a store of hundreds of identities: what the command writes a batch of
// rows at a time is byte for byte the JSON of the core's list.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { listIdentities } from '../../../src-main/core/identities/identities.js';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
beforeAll(() => {
  t = testWorkspace('cli-keys-list');
});
afterAll(async () => t.cleanup());

async function seed(from: number, to: number): Promise<void> {
  // Metadata only, in one update: listing reads no secret.
  await t.ws.store.update((tx) => {
    const createdAt = tx.now.toISOString();
    for (let i = from; i < to; i++) {
      tx.data.identities.push({
        id: `id_list${i}`, name: i === 42 ? 'capteur-été' : `device-${i}`, role: 'device', tags: ['list'], endpoints: [],
        createdAt, rotateEveryDays: i % 2 ? 365 : null, generations: [{ generation: 1, publicKey: generateKeyPair().publicKey, state: 'current', createdAt }],
      });
    }
  });
}

it.each([[0, 0], [0, 100], [100, 250]])('with %i..%i identities added it prints the JSON of listIdentities', async (from, to) => {
  await seed(from, to);
  const result = await runCli(['--json', 'keys', 'list'], t.env);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toBe(`${JSON.stringify(await listIdentities(t.ws))}\n`);
  expect(result.json<unknown[]>()).toHaveLength(to);
});
