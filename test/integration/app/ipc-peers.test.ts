// Issue 13's peers through the one dispatcher and the CLI, on the real keychain: the list as lean
// rows filtered by text, tag, allowed, verification and last verdict, in pages; the detail; the
// duplicate-key warning (another peer's or an own identity's key) as data in both faces; replacing
// a key after previewing both safety codes; and a Wi-Fi QR refused in plain words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { safetyCode } from '../../../src-main/core/curve/safety-code.js';
import { runCli } from '../../helpers/cli.js';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let tws: TestWorkspace;
let ipc: IpcCaller;
const gw = generateKeyPair();
const plc = generateKeyPair();
const fresh = generateKeyPair();

beforeAll(async () => {
  tws = testWorkspace('ipc-peers');
  ipc = ipcCaller(tws);
  await ipc.ok('peers.add', { name: 'gw-07', publicKey: gw.publicKey, endpoints: ['tcp://127.0.0.7:5555'], tags: ['plant-3'], allowed: true });
  await ipc.ok('peers.add', { name: 'plc-2', publicKey: plc.publicKey, tags: ['field'] });
  await tws.ws.store.update((tx) => {
    const peer = tx.data.peers.find((p) => p.name === 'plc-2')!;
    peer.link = { lastVerdict: 'unreachable', lastAt: tx.now.toISOString() };
  });
});

afterAll(async () => {
  await tws?.cleanup();
});

const names = (list: Record<string, unknown>) => (list.rows as Array<{ name: string }>).map((r) => r.name);

describe('peers.list', () => {
  it('gives lean rows sorted by name, with every tag for the filter', async () => {
    const list = await ipc.ok('peers.list', {});
    expect(names(list)).toEqual(['gw-07', 'plc-2']);
    expect(list.tags).toEqual(['field', 'plant-3']);
    const row = (list.rows as Array<Record<string, unknown>>)[0]!;
    expect(Object.keys(row).sort()).toEqual(['allowed', 'id', 'lastVerdict', 'name', 'safetyCode', 'sameKey', 'tags', 'verification']);
    expect(row).toMatchObject({ safetyCode: safetyCode(gw.publicKey), allowed: true, verification: 'unverified', lastVerdict: null, sameKey: false });
  });

  it('filters by tag, allowed, verification, last verdict and text, and pages', async () => {
    expect(names(await ipc.ok('peers.list', { tag: 'field' }))).toEqual(['plc-2']);
    expect(names(await ipc.ok('peers.list', { allowed: true }))).toEqual(['gw-07']);
    expect(names(await ipc.ok('peers.list', { allowed: false }))).toEqual(['plc-2']);
    expect(names(await ipc.ok('peers.list', { verification: 'verified' }))).toEqual([]);
    expect(names(await ipc.ok('peers.list', { verdict: 'failing' }))).toEqual(['plc-2']);
    expect(names(await ipc.ok('peers.list', { verdict: 'never' }))).toEqual(['gw-07']);
    expect(names(await ipc.ok('peers.list', { verdict: 'unreachable' }))).toEqual(['plc-2']);
    expect(names(await ipc.ok('peers.list', { text: safetyCode(plc.publicKey).replace(/ /g, '').slice(0, 12) }))).toEqual(['plc-2']);
    expect(names(await ipc.ok('peers.list', { text: '127.0.0.7' }))).toEqual(['gw-07']);
    const page = await ipc.ok('peers.list', { offset: 1, limit: 1 });
    expect(page).toMatchObject({ total: 2, offset: 1 });
    expect(names(page)).toEqual(['plc-2']);
  });

  it('shows a change at the next listing: name order, tags and shared keys follow each new snapshot', async () => {
    const shared = (list: Record<string, unknown>) => (list.rows as Array<{ name: string; sameKey: boolean }>).filter((r) => r.sameKey).map((r) => r.name);
    await ipc.ok('peers.list', {});
    const added = await ipc.ok('peers.add', { name: 'aa-first', publicKey: plc.publicKey, tags: ['zz-new'] });
    const after = await ipc.ok('peers.list', {});
    expect(names(after)).toEqual(['aa-first', 'gw-07', 'plc-2']);
    expect(after.tags).toEqual(['field', 'plant-3', 'zz-new']);
    expect(shared(after)).toEqual(['aa-first', 'plc-2']);
    await ipc.ok('peers.remove', { ref: added.id as string, confirm: true });
    const removed = await ipc.ok('peers.list', {});
    expect(names(removed)).toEqual(['gw-07', 'plc-2']);
    expect(removed.tags).toEqual(['field', 'plant-3']);
    expect(shared(removed)).toEqual([]);
  });
});

describe('duplicate keys', () => {
  it('flags a peer added with another peer\'s key, in the add result, the list and the detail', async () => {
    const twin = await ipc.ok('peers.add', { name: 'gw-07-copy', publicKey: gw.publicKey });
    expect(twin.sameKeyAs).toEqual([{ kind: 'peer', id: expect.any(String), name: 'gw-07' }]);
    const rows = (await ipc.ok('peers.list', {})).rows as Array<{ name: string; sameKey: boolean }>;
    expect(rows.filter((r) => r.sameKey).map((r) => r.name)).toEqual(['gw-07', 'gw-07-copy']);
    const shown = await ipc.ok('peers.show', { ref: 'gw-07' });
    expect(shown.sameKeyAs).toEqual([{ kind: 'peer', id: twin.id, name: 'gw-07-copy' }]);
    expect((await ipc.ok('peers.show', { ref: 'plc-2' })).sameKeyAs).toEqual([]);
    await ipc.ok('peers.remove', { ref: 'gw-07-copy', confirm: true });
  });

  it('flags a peer imported from a QR code with an own identity\'s key', async () => {
    const own = await ipc.ok('keys.generate', { name: 'tech-laptop', role: 'client' });
    const imported = await ipc.ok('peers.importQrText', { text: own.publicKey as string, name: 'laptop-as-peer' });
    expect(imported.duplicates).toEqual([{ peer: { id: expect.any(String), name: 'laptop-as-peer' }, sameKeyAs: [{ kind: 'identity', id: own.id, name: 'tech-laptop' }] }]);
    await ipc.ok('peers.remove', { ref: 'laptop-as-peer', confirm: true });
  });

  it('says so in the CLI output, as text and as JSON', async () => {
    const text = await runCli(['peers', 'add', '--name', 'gw-twin', '--key', gw.publicKey], tws.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/warning: gw-twin has the same public key as peer gw-07/);
    const json = await runCli(['--json', 'peers', 'add', '--name', 'plc-twin', '--key', plc.publicKey], tws.env);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'plc-twin', sameKeyAs: [{ kind: 'peer', name: 'plc-2' }] });
    const plain = await runCli(['--json', 'peers', 'add', '--name', 'lonely', '--key', generateKeyPair().publicKey], tws.env);
    expect(JSON.parse(plain.stdout).sameKeyAs).toEqual([]);
    for (const ref of ['gw-twin', 'plc-twin', 'lonely']) await ipc.ok('peers.remove', { ref, confirm: true });
  });
});

describe('replacing a key', () => {
  it('previews both safety codes without changing anything, then replaces after confirmation', async () => {
    await ipc.ok('peers.verify', { ref: 'gw-07', code: safetyCode(gw.publicKey) });
    const preview = await ipc.ok('peers.keyPreview', { ref: 'gw-07', key: `metadata\n    name = "gw-07"\ncurve\n    public-key = "${fresh.publicKey}"\n` });
    expect(preview).toMatchObject({ publicKey: fresh.publicKey, safetyCode: safetyCode(fresh.publicKey), sameKeyAs: [], current: { publicKey: gw.publicKey, safetyCode: safetyCode(gw.publicKey) } });
    expect((await ipc.ok('peers.show', { ref: 'gw-07' })).publicKey).toBe(gw.publicKey);
    expect(await ipc.call('peers.replaceKey', { ref: 'gw-07', key: fresh.publicKey })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    const replaced = await ipc.ok('peers.replaceKey', { ref: 'gw-07', key: fresh.publicKey, confirm: true });
    expect(replaced.previous).toEqual({ publicKey: gw.publicKey, safetyCode: safetyCode(gw.publicKey) });
    expect(replaced.peer).toMatchObject({ name: 'gw-07', publicKey: fresh.publicKey, verification: { state: 'unverified' }, link: null });
    const entries = await readAudit();
    expect(entries.at(-1)).toMatchObject({ action: 'peer.key-replaced', subject: 'gw-07' });
    expect(await ipc.call('peers.replaceKey', { ref: 'gw-07', key: fresh.publicKey, confirm: true })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await ipc.call('peers.keyPreview', { ref: 'gw-07', key: 'not a key' })).toMatchObject({ ok: false });
  });
});

describe('a QR code that holds no key', () => {
  it('refuses a Wi-Fi code in plain words and adds nothing', async () => {
    const before = names(await ipc.ok('peers.list', {}));
    const outcome = await ipc.call('peers.importQrText', { text: 'WIFI:T:WPA;S:plant-3-guest;P:hunter22;;', source: 'camera', name: 'x' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid-input', message: 'the scanned QR code is a Wi-Fi code, not a ZeroMQ key' } });
    expect(JSON.stringify(outcome)).not.toContain('hunter22');
    expect(names(await ipc.ok('peers.list', {}))).toEqual(before);
  });
});

async function readAudit(): Promise<Array<{ action: string; subject: string }>> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  return (await readFile(join(tws.home, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { action: string; subject: string });
}
