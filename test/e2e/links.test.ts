// The Link tests view in Chromium through the bridge, against real peers on 127.0.0.1: our CURVE
// responder (admits anyone) and a pyzmq NULL server, which must come out `plaintext`. A single
// test with its verdict card, a probe, a sweep with progress, and the per-peer history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../src-main/core/identities/identities.js';
import { type Responder, startResponder } from '../../src-main/core/link/responder.js';
import { addPeer } from '../../src-main/core/peers/peers.js';
import { type RunningPeer, startPeer, stopAllPeers } from '../helpers/link/peers.js';
import { type E2eApp, launchApp } from './harness.js';

const server = generateKeyPair();
let responder: Responder;
let nullServer: RunningPeer;
let app: E2eApp;

beforeAll(async () => {
  responder = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server, allow: 'any' });
  nullServer = await startPeer('null-rep');
  app = await launchApp('links', {
    seed: async (tws) => {
      await generateIdentity(tws.ws, { name: 'tech-laptop', role: 'client', endpoints: [], tags: [] });
      await addPeer(tws.ws, { name: 'echo', publicKey: server.publicKey, endpoints: [responder.endpoint] });
      await addPeer(tws.ws, { name: 'legacy-plc', publicKey: server.publicKey, endpoints: [nullServer.endpoint] });
    },
  });
  await app.go('Link tests');
});

afterAll(async () => {
  await app?.close();
  await responder?.close();
  await stopAllPeers();
});

describe('Link tests view', () => {
  it('tests a stored peer as an identity: ok, nothing to do', async () => {
    const { page } = app;
    const form = page.getByRole('form', { name: 'Test one link' });
    await form.getByLabel('Peer', { exact: true }).selectOption({ label: 'echo' });
    // The user's own client identity is the default: nothing to choose.
    expect(await form.getByLabel('As identity').locator('option:checked').textContent()).toBe('tech-laptop (my client key)');
    await form.getByRole('button', { name: 'Test link' }).click();
    const card = page.locator('article[data-verdict]');
    await card.waitFor();
    expect(await card.getAttribute('data-verdict')).toBe('ok');
    expect(await card.locator('[data-next]').textContent()).toBe('Nothing to do.');
    expect(await page.getByTestId('link-tested-as').textContent()).toMatch(/^Tested as tech-laptop in \d/);
    // The next step is said once, with no button for an ok link.
    expect(await card.locator('[data-action]').count()).toBe(0);
    await app.screenshot('links-verdict-ok');
    app.expectClean();
  });

  it('says plaintext for a NULL server and what to do next', async () => {
    const { page } = app;
    const form = page.getByRole('form', { name: 'Test one link' });
    await form.getByLabel('A pasted key').check();
    await form.getByLabel(/Server public key/).fill(server.publicKey);
    await form.getByLabel('Endpoint').fill(nullServer.endpoint);
    await form.getByRole('button', { name: 'Test link' }).click();
    const card = page.locator('article[data-verdict="plaintext"]');
    await card.waitFor();
    expect(await card.locator('[data-next]').textContent()).toBe('Enable CURVE on the peer.');
    await app.screenshot('links-verdict-plaintext');
    app.expectClean();
  });

  it('probes the mechanism', async () => {
    const { page } = app;
    const form = page.getByRole('form', { name: 'Probe the mechanism' });
    await form.getByLabel('Endpoint').fill(responder.endpoint);
    await form.getByRole('button', { name: 'Probe' }).click();
    await page.locator('[data-probe="zmtp"]').waitFor();
    expect(await page.locator('[data-probe="zmtp"]').textContent()).toContain('CURVE');
    app.expectClean();
  });

  it('sweeps every peer with progress and records the history', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Sweep 2 peers' }).click();
    await page.locator('[data-sweep-state="done"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-sweep-state]').textContent()).toContain('2 of 2 tested');
    const results = page.getByRole('table', { name: 'Sweep results' });
    expect(await results.locator('tr[data-peer="echo"]').getAttribute('data-verdict')).toBe('ok');
    expect(await results.locator('tr[data-peer="legacy-plc"]').getAttribute('data-verdict')).toBe('plaintext');
    const history = page.getByRole('table', { name: 'Link history' });
    await expect.poll(() => history.locator('tr[data-peer="legacy-plc"] [data-last-verdict]').textContent()).toBe('plaintext');
    expect(await history.locator('tr[data-peer="echo"] [data-last-verdict]').textContent()).toBe('ok');
    await app.screenshot('links-sweep');
    app.expectClean();
  });
});
