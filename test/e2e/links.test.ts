// The Link tests view in Chromium through the bridge, against real peers on 127.0.0.1: our CURVE
// responder (admits anyone) and a pyzmq NULL server, which must come out `plaintext`. A single
// test with its verdict card, a probe, a sweep with progress, and the per-peer history.
import { type Server, type Socket, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { adoptIdentity, generateIdentity } from '../../src-main/core/identities/identities.js';
import { type Responder, startResponder } from '../../src-main/core/link/responder.js';
import { addPeer } from '../../src-main/core/peers/peers.js';
import { type RunningPeer, startPeer, stopAllPeers } from '../helpers/link/peers.js';
import { type E2eApp, launchApp } from './harness.js';

const server = generateKeyPair();
let responder: Responder;
// Our own server that admits nobody: a test as our client identity is `rejected`.
let locked: Responder;
const lockedServer = generateKeyPair();
let nullServer: RunningPeer;
let app: E2eApp;
// Accepts TCP and says nothing: a link test there runs until its timeout, unless cancelled.
let silent: Server;
let silentEndpoint = '';
const silentSockets = new Set<Socket>();

beforeAll(async () => {
  responder = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server, allow: 'any' });
  locked = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server: lockedServer, allow: [] });
  nullServer = await startPeer('null-rep');
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentEndpoint = `tcp://127.0.0.1:${(silent.address() as { port: number }).port}`;
  app = await launchApp('links', {
    seed: async (tws) => {
      await generateIdentity(tws.ws, { name: 'tech-laptop', role: 'client', endpoints: [], tags: [] });
      await addPeer(tws.ws, { name: 'echo', publicKey: server.publicKey, endpoints: [responder.endpoint] });
      await addPeer(tws.ws, { name: 'legacy-plc', publicKey: server.publicKey, endpoints: [nullServer.endpoint] });
      // Our own server identity, served by the responder: testable from its detail in Keys.
      await adoptIdentity(tws.ws, { name: 'echo-server', role: 'server', endpoints: [responder.endpoint], tags: [] }, server, 'echo-server.key_secret');
      await adoptIdentity(tws.ws, { name: 'locked-server', role: 'server', endpoints: [locked.endpoint], tags: [] }, lockedServer, 'locked-server.key_secret');
    },
  });
  await app.go('Link tests');
});

afterAll(async () => {
  await app?.close();
  await responder?.close();
  await locked?.close();
  await stopAllPeers();
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
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
    // Said once: no second sentence repeating it.
    expect(await card.getByText(/enable CURVE/i).count()).toBe(1);
    await app.screenshot('links-verdict-plaintext');
    app.expectClean();
  });

  it('shows the elapsed time of a running test, cancels it, and clears the last result when a new one starts', async () => {
    const { page } = app;
    const form = page.getByRole('form', { name: 'Test one link' });
    await form.getByLabel('A pasted key').check();
    await form.getByLabel(/Server public key/).fill(server.publicKey);
    await form.getByLabel('Endpoint').fill(silentEndpoint);
    await form.getByLabel('Timeout (ms)').fill('60000');
    // The plaintext card of the last test is still there until this one starts.
    expect(await page.locator('article[data-verdict="plaintext"]').count()).toBe(1);
    await form.getByRole('button', { name: 'Test link' }).click();
    await page.getByTestId('link-test-running').waitFor();
    expect(await page.locator('article[data-verdict]').count()).toBe(0);
    await expect.poll(() => page.getByTestId('link-test-elapsed').textContent()).toMatch(/^\d+(\.\d)? s$/);
    await app.screenshot('links-test-running');
    await page.getByTestId('link-test-running').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('link-test-cancelled').textContent()).toMatch(/^Test cancelled after /);
    expect(await form.getByRole('button', { name: 'Test link' }).isEnabled()).toBe(true);
    // Nothing arrives later: the main process stopped the test.
    await page.waitForTimeout(300);
    expect(await page.locator('article[data-verdict]').count()).toBe(0);
    app.expectClean();
  });

  it('tests an own server identity from its detail in Keys', async () => {
    const { page } = app;
    await app.go('Keys');
    await page.getByRole('listbox', { name: 'Identities' }).getByRole('option', { name: /echo-server/ }).click();
    const test = page.getByRole('region', { name: 'Link test' });
    expect(await test.getByLabel('Test as').locator('option:checked').textContent()).toBe('tech-laptop (my client key)');
    await test.getByRole('button', { name: 'Test link' }).click();
    await test.locator('article[data-verdict="ok"]').waitFor({ timeout: 15_000 });
    expect(await test.getByTestId('link-tested-as').textContent()).toMatch(/^Tested as tech-laptop in /);
    await app.screenshot('keys-server-link-test');
    await app.go('Link tests');
    app.expectClean();
  });

  it('a rejection by our own server opens its allowlist: the allowed peers', async () => {
    const { page } = app;
    await app.go('Keys');
    await page.getByRole('listbox', { name: 'Identities' }).getByRole('option', { name: /locked-server/ }).click();
    const test = page.getByRole('region', { name: 'Link test' });
    await test.getByRole('button', { name: 'Test link' }).click();
    const card = test.locator('article[data-verdict="rejected"]');
    await card.waitFor({ timeout: 15_000 });
    await expect.poll(() => card.textContent()).toMatch(/on the allowlist of locked-server/);
    expect(await card.getByRole('button', { name: /Show the QR code/ }).count()).toBe(0);
    await card.getByRole('button', { name: 'Open the allowlist of locked-server' }).click();
    await page.locator('main[data-view-label="Peers"]').waitFor();
    await expect.poll(() => page.getByLabel('Allowed', { exact: true }).inputValue()).toBe('yes');
    await app.go('Link tests');
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
    // Summary counts, and the failures only.
    expect(await page.getByTestId('sweep-summary').textContent()).toMatch(/1 ok,\s*1 failing of 2 tested:\s*1 plaintext/);
    await page.getByLabel('Failures only').check();
    await expect.poll(() => results.locator('tbody tr').count()).toBe(1);
    expect(await results.locator('tbody tr').getAttribute('data-peer')).toBe('legacy-plc');
    await app.screenshot('links-sweep');
    await page.getByLabel('Failures only').uncheck();
    app.expectClean();
  });
});
