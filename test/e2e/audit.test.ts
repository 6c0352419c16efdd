// Audit view end to end: a key generated in the Keys view and a peer added over the bridge's IPC
// show up in the log newest first; "Verify log" says ok with the count; after one line of
// audit.jsonl is edited on disk, verifying again names that entry, its position and the reason.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { listIdentities, secretAccount } from '../../src-main/core/identities/identities.js';
import { BRIDGE_CALL_PATH, BRIDGE_TOKEN_HEADER } from '../../src-main/ipc/transport.js';
import { type E2eApp, launchApp } from './harness.js';

describe('Audit view', () => {
  let app: E2eApp;

  beforeAll(async () => {
    app = await launchApp('audit');
  });

  afterAll(async () => {
    await app?.close();
  });

  /** One contract call over the bridge, as the page makes it. */
  async function ipc(channel: string, args: unknown): Promise<unknown> {
    const token = new URL(app.bridge.pageUrl).searchParams.get('token') ?? '';
    const response = await fetch(`${app.bridge.origin}${BRIDGE_CALL_PATH}${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [BRIDGE_TOKEN_HEADER]: token },
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(10_000),
    });
    const outcome = (await response.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
    if (!outcome.ok) throw new Error(`${channel} failed: ${outcome.error?.message}`);
    return outcome.result;
  }

  const rows = () => app.page.getByRole('table', { name: 'Audit log entries' }).locator('tbody tr');

  it('lists a generated key and an added peer, newest first, with no secret on the page', async () => {
    const { page } = app;
    await app.go('Keys');
    await page.getByRole('button', { name: 'New key…' }).click();
    const form = page.getByRole('form', { name: 'Generate a key pair' });
    await form.getByLabel('Name', { exact: true }).fill('gateway-07');
    await form.getByRole('button', { name: 'Generate' }).click();
    await page.getByRole('heading', { level: 2, name: 'gateway-07' }).waitFor();
    const peerKey = generateKeyPair().publicKey;
    await ipc('peers.add', { name: 'plant-3-broker', publicKey: peerKey });

    await app.go('Audit');
    await expect.poll(() => rows().count()).toBe(2);
    const texts = await rows().allInnerTexts();
    expect(texts[0]).toContain('peer.added');
    expect(texts[0]).toContain('plant-3-broker');
    expect(texts[0]).toContain(peerKey);
    expect(texts[1]).toContain('identity.generated');
    expect(texts[1]).toContain('gateway-07');
    await page.getByText('2 entries, newest first').waitFor();

    const gateway = (await listIdentities(app.workspace.ws)).find((i) => i.name === 'gateway-07')!;
    const secret = await app.workspace.keychain.get(secretAccount(gateway.id, 1));
    expect(secret).toMatch(/^.{40}$/);
    expect(await page.content()).not.toContain(secret!);
    app.expectClean();
  });

  it('filters as you type', async () => {
    const { page } = app;
    const filter = page.getByRole('searchbox', { name: 'Filter the audit log' });
    await filter.fill('identity');
    await expect.poll(() => rows().allInnerTexts()).toEqual([expect.stringContaining('gateway-07')]);
    await filter.fill('broker added');
    await expect.poll(() => rows().allInnerTexts()).toEqual([expect.stringContaining('plant-3-broker')]);
    await filter.fill('nothing-like-this');
    await page.getByText('No entry matches this filter.').waitFor();
    await filter.fill('');
    await expect.poll(() => rows().count()).toBe(2);
    app.expectClean();
  });

  it('verifies an intact log with its entry count', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Verify log' }).click();
    const verdict = page.getByTestId('audit-verdict');
    await expect.poll(() => verdict.getAttribute('data-ok')).toBe('true');
    expect(await verdict.innerText()).toMatch(/The log is intact: 2 entries checked/);
    await app.screenshot('audit-verified');
    app.expectClean();
  });

  it('names the first broken entry after one line of audit.jsonl is edited', async () => {
    const { page } = app;
    const file = join(app.home, 'audit.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    const first = JSON.parse(lines[0]!) as { seq: number; subject: string };
    expect(first).toMatchObject({ seq: 1, subject: 'gateway-07' });
    lines[0] = JSON.stringify({ ...first, subject: 'gateway-08' });
    writeFileSync(file, lines.join('\n'));

    await page.getByRole('button', { name: 'Verify log' }).click();
    const verdict = page.getByTestId('audit-verdict');
    await expect.poll(() => verdict.getAttribute('data-ok')).toBe('false');
    expect(await verdict.innerText()).toContain('The log is broken at position 1 (entry #1): its content does not match its hash (it was edited).');
    expect(await page.getByTestId('broken-position').innerText()).toBe('1');
    expect(await page.getByTestId('broken-reason').innerText()).toMatch(/edited/);
    // The edited row is marked in the table, and the list shows what is on disk now.
    const marked = page.locator('tbody tr.broken');
    await expect.poll(() => marked.count()).toBe(1);
    // The verdict can mark the row a moment before the list read again after Verify arrives.
    await expect.poll(() => marked.innerText()).toContain('gateway-08');
    expect(await marked.getAttribute('data-seq')).toBe('1');
    await app.screenshot('audit-broken');
    app.expectClean();
  });
});
