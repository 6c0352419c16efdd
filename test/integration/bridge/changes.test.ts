// The live refresh through the bridge's HTTP: a `changes.wait` long poll answers when another
// writer (a workspace over the same folder, as the CLI) changes the store, and a poll still
// waiting when the bridge stops is answered at once, so that the bridge stops without hanging.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RunningBridge } from '../../../src-main/bridge/serve.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { createWorkspace } from '../../../src-main/core/workspace.js';
import { OsKeychain } from '../../../src-main/keychain/os-keychain.js';

const SERVICE = `curvekeep-test-bridge-changes-${process.pid}`;
let home: string;
let bridge: RunningBridge | undefined;
let previousService: string | undefined;

async function wait(since: number | null, timeoutMs: number): Promise<{ ok: boolean; result?: { revision: number } }> {
  const response = await fetch(`${bridge!.origin}/ipc/changes.wait`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-curvekeep-token': bridge!.token },
    body: JSON.stringify({ since, timeoutMs }),
    signal: AbortSignal.timeout(40_000),
  });
  return (await response.json()) as { ok: boolean; result?: { revision: number } };
}

beforeAll(async () => {
  previousService = process.env.CURVEKEEP_KEYCHAIN_SERVICE;
  process.env.CURVEKEEP_KEYCHAIN_SERVICE = SERVICE;
  home = mkdtempSync(join(tmpdir(), 'curvekeep-bridge-changes-'));
  bridge = await startBridge({ home, rendererRoot: home, appVersion: '0.0.0-test', log: () => undefined });
});

afterAll(async () => {
  await bridge?.close();
  if (previousService === undefined) delete process.env.CURVEKEEP_KEYCHAIN_SERVICE;
  else process.env.CURVEKEEP_KEYCHAIN_SERVICE = previousService;
  const keychain = new OsKeychain(SERVICE);
  for (const account of await keychain.accounts().catch(() => [])) await keychain.delete(account);
  rmSync(home, { recursive: true, force: true });
});

describe('bridge: changes.wait', () => {
  it('answers a waiting poll when another writer changes the store', async () => {
    const first = await wait(null, 0);
    expect(first).toEqual({ ok: true, result: { revision: 0 } });
    const waiting = wait(0, 25_000);
    await generateIdentity(createWorkspace(home, new OsKeychain(SERVICE)), { name: 'gw-1', role: 'server', endpoints: [], tags: [] });
    const answer = await waiting;
    expect(answer.ok).toBe(true);
    expect(answer.result!.revision).toBeGreaterThan(0);
  });

  it('refuses a wait longer than 25 s', async () => {
    expect((await wait(0, 60_000)).ok).toBe(false);
  });

  it('stops with a poll still waiting: the poll is answered, close() returns', async () => {
    const now = (await wait(null, 0)).result!.revision;
    const waiting = wait(now, 25_000).catch((error: unknown) => ({ ok: false, error }));
    await new Promise((r) => setTimeout(r, 200));
    const closing = bridge!.close();
    bridge = undefined;
    await closing;
    // Answered (nothing changed: the same revision) before the connections were closed.
    expect(await waiting).toEqual({ ok: true, result: { revision: now } });
  }, 15_000);
});
