import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { StoreCorruptError, StoreTamperedError } from '../../../src-main/core/errors.js';
import { createWorkspace, localStoreOf } from '../../../src-main/core/workspace.js';
import { addPeer, listPeers } from '../../../src-main/core/peers/peers.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
afterEach(async () => t?.cleanup());

describe('the sealed metadata store on the real keychain', () => {
  it('writes atomically and keeps a .bak of the last good version', async () => {
    t = testWorkspace('store');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    await addPeer(t.ws, { name: 'b', publicKey: generateKeyPair().publicKey });
    const backup = JSON.parse(readFileSync(join(t.home, 'curvekeep.json.bak'), 'utf8'));
    expect(backup.data.peers.map((p: { name: string }) => p.name)).toEqual(['a']);
    expect(readdirSync(t.home).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect((await t.ws.store.read()).revision).toBe(2);
  });

  it('finds a peer key swapped outside Curvekeep and refuses it until resealed', async () => {
    t = testWorkspace('store');
    await addPeer(t.ws, { name: 'broker', publicKey: generateKeyPair().publicKey });
    const file = join(t.home, 'curvekeep.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const attacker = generateKeyPair().publicKey;
    doc.data.peers[0].publicKey = attacker;
    writeFileSync(file, JSON.stringify(doc));
    await expect(listPeers(t.ws)).rejects.toThrow(StoreTamperedError);
    await expect(listPeers(t.ws)).rejects.toThrow(/changed outside Curvekeep/);
    await expect(listPeers(t.ws)).rejects.toMatchObject({ code: 'store-tampered' });
    // Nothing may be written on top of a tampered document.
    await expect(addPeer(t.ws, { name: 'x', publicKey: generateKeyPair().publicKey })).rejects.toThrow(StoreTamperedError);
    const result = await localStoreOf(t.ws, 'test').reseal();
    expect(result.wasTampered).toBe(true);
    expect((await listPeers(t.ws))[0]!.publicKey).toBe(attacker);
    const audit = await t.ws.store.auditEntries();
    expect(audit.at(-1)!.action).toBe('store.resealed');
    expect((await t.ws.store.verifyAudit()).ok).toBe(true);
  });

  it('writes text that is not ASCII as UTF-8, sealed as written, as it writes ASCII', async () => {
    t = testWorkspace('store');
    const csvName = 'Zähler Gebäude 3 — 東京.csv';
    const outDir = '/srv/provisioning/Gerät ü';
    await t.ws.store.update((tx) => {
      tx.data.batches.push({ id: 'batch_0123456789ab', createdAt: tx.now.toISOString(), csvName, server: 'id_0123456789ab', outDir, counts: { rows: 0, ok: 0, skipped: 0, failed: 0 }, failed: [] });
      tx.audit({ action: 'provision.completed', subject: outDir, details: { csvName } });
    });
    const raw = readFileSync(join(t.home, 'curvekeep.json'));
    // UTF-8 on disk (not latin1, not escaped), and read back equal under its seal by a fresh workspace.
    expect(raw.includes(Buffer.from(csvName, 'utf8'))).toBe(true);
    const fresh = createWorkspace(t.home, t.keychain);
    expect((await fresh.store.read()).data.batches[0]).toMatchObject({ csvName, outDir });
    expect((await fresh.store.auditEntries()).at(-1)).toMatchObject({ subject: outDir, details: { csvName } });
    expect((await fresh.store.verifyAudit()).ok).toBe(true);
    // An ASCII change after it keeps both sealed.
    await addPeer(fresh, { name: 'ascii', publicKey: generateKeyPair().publicKey });
    expect((await createWorkspace(t.home, t.keychain).store.read()).data.batches[0]!.csvName).toBe(csvName);
  });

  it('refuses a corrupt file loudly and never overwrites it', async () => {
    t = testWorkspace('store');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    const file = join(t.home, 'curvekeep.json');
    writeFileSync(file, '{"format":"curvekeep-store", garbage');
    await expect(listPeers(t.ws)).rejects.toThrow(StoreCorruptError);
    await expect(addPeer(t.ws, { name: 'b', publicKey: generateKeyPair().publicKey })).rejects.toThrow(/not a valid Curvekeep data file.*curvekeep.json.bak/);
    expect(readFileSync(file, 'utf8')).toBe('{"format":"curvekeep-store", garbage');
  });

  it('a hand edit that breaks a field is refused, and reseal names the first bad field', async () => {
    t = testWorkspace('store');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    const file = join(t.home, 'curvekeep.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.data.peers[0].publicKey = 'short';
    const edited = JSON.stringify(doc);
    writeFileSync(file, edited);
    await expect(listPeers(t.ws)).rejects.toThrow(StoreTamperedError);
    await expect(localStoreOf(t.ws, 'test').reseal()).rejects.toThrow(StoreCorruptError);
    await expect(localStoreOf(t.ws, 'test').reseal()).rejects.toThrow(/data format at peers\.0\.publicKey/);
    expect(readFileSync(file, 'utf8')).toBe(edited);
  });

  it('never seals a document a read would refuse: a change that breaks the format writes nothing', async () => {
    t = testWorkspace('store');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    const file = join(t.home, 'curvekeep.json');
    const before = readFileSync(file, 'utf8');
    await expect(t.ws.store.update((tx) => {
      tx.data.peers[0]!.publicKey = 'short';
    })).rejects.toThrow(/data format at peers\.0\.publicKey.*has not been changed/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect((await listPeers(t.ws))[0]!.publicKey).toHaveLength(40);
  });

  it('refuses a document from a newer schema', async () => {
    t = testWorkspace('store');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    const file = join(t.home, 'curvekeep.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.schema = 99;
    writeFileSync(file, JSON.stringify(doc));
    await expect(listPeers(t.ws)).rejects.toThrow(/newer Curvekeep/);
  });

  it('loses no change when two writers work at once', async () => {
    t = testWorkspace('store');
    // Two workspaces over one folder stand for the app and the CLI.
    const other = createWorkspace(t.home, t.keychain);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => addPeer(i % 2 ? t.ws : other, { name: `p${i}`, publicKey: generateKeyPair().publicKey })),
    );
    expect((await listPeers(t.ws)).map((p) => p.name).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `p${i}`).sort());
    expect((await t.ws.store.verifyAudit()).entries).toBe(12);
  });

  it('leaves the last good document readable when a save is killed midway', async () => {
    t = testWorkspace('store');
    await addPeer(t.ws, { name: 'first', publicKey: generateKeyPair().publicKey });
    const good = readFileSync(join(t.home, 'curvekeep.json'), 'utf8');
    // A child process that writes a large document in a loop; it is killed while writing.
    const script = `
      const { createWorkspace } = await import(${JSON.stringify(new URL('../../../dist/main/core/workspace.js', import.meta.url).href)});
      const { OsKeychain } = await import(${JSON.stringify(new URL('../../../dist/main/keychain/os-keychain.js', import.meta.url).href)});
      const { generateKeyPair } = await import(${JSON.stringify(new URL('../../../dist/main/core/curve/keys.js', import.meta.url).href)});
      const ws = createWorkspace(process.env.H, new OsKeychain(process.env.S));
      process.stdout.write('ready\\n');
      for (let round = 0; ; round++) {
        await ws.store.update((tx) => {
          for (let i = 0; i < 3000; i++) tx.data.peers.push({ id: 'p' + round + '-' + i, name: 'n' + round + '-' + i, publicKey: generateKeyPair().publicKey, endpoints: [], tags: [], allowed: false, createdAt: tx.now.toISOString(), verification: { state: 'unverified' } });
        });
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, H: t.home, S: t.service }, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 350));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // The lock of the dead writer is taken over; the document is either the old or a complete new one.
    const peers = await listPeers(t.ws);
    expect(peers.some((p) => p.name === 'first')).toBe(true);
    expect(peers.length % 3000).toBe(1);
    await addPeer(t.ws, { name: 'after-crash', publicKey: generateKeyPair().publicKey });
    expect(existsSync(join(t.home, 'curvekeep.json.bak'))).toBe(true);
    expect(good.length).toBeGreaterThan(0);
  });
});
