// Backup keys and pin sets against the real keychain, the sealed store and OpenSSL.
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError, RefusedError } from '../../../src-main/core/errors.js';
import { backupKeyAccount, createBackupKey, listBackupKeys, removeBackupKey } from '../../../src-main/core/pins/backup-key.js';
import { pinOfCertificate, pinOfCsr, pinOfSpki } from '../../../src-main/core/pins/pin.js';
import { getPinSet, listPinSets, promoteBackupPin, removePinSet, setPinSet, setPinSetFromLive } from '../../../src-main/core/pins/pin-set.js';
import { fetchChain } from '../../../src-main/core/pins/tls-chain.js';
import { type Workspace, createWorkspace } from '../../../src-main/core/workspace.js';
import { OsKeychain } from '../../../src-main/keychain/os-keychain.js';
import { GOOD_NAME, type Pki, buildPki, openssl, opensslPin, startOpensslServer } from '../../helpers/pki/pki.js';

const SERVICE = `curvekeep-test-pins-${process.pid}`;
let pki: Pki;
let home: string;
let keychain: OsKeychain;
let ws: Workspace;

beforeAll(() => {
  process.env.CURVEKEEP_KEYCHAIN_SERVICE = SERVICE;
  pki = buildPki();
  home = mkdtempSync(join(tmpdir(), 'curvekeep-pins-home-'));
  keychain = new OsKeychain(SERVICE);
  ws = createWorkspace(home, keychain);
});

afterAll(async () => {
  for (const account of await keychain.accounts()) await keychain.delete(account);
  rmSync(home, { recursive: true, force: true });
  pki?.remove();
});

/**
 * Every file under `dir` (five levels deep, under 2 MB, not in node_modules) modified at `since`
 * or later: a key made during a test can only be in a file written after the test began. Listed
 * by find(1): walking a temp folder of 500,000 entries with statSync took 10 s alone and past the
 * test's 30 s under load (reading every file of it took 16 s in a CI run before `since`).
 */
function files(dir: string, since: number): string[] {
  const found = spawnSync('find', [dir, '-maxdepth', '5', '-name', 'node_modules', '-prune', '-o', '-type', 'f', '-size', '-2000k', '-newermt', `@${(since / 1000).toFixed(3)}`, '-print0'], { maxBuffer: 1 << 28 });
  // Other tests remove their folders meanwhile: find then exits 1 for those, and lists the rest.
  if (found.error) throw found.error;
  return found.stdout.toString('utf8').split('\0').filter((path) => path.length > 0);
}

function foundIn(dir: string, needles: ReadonlyArray<Buffer>, since: number): string[] {
  const hits: string[] = [];
  for (const path of files(dir, since)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      continue;
    }
    if (needles.some((n) => bytes.includes(n))) hits.push(path);
  }
  return hits;
}

describe('backup key', () => {
  it.each([['ec-p256' as const], ['rsa-3072' as const]])('%s: the CSR verifies in OpenSSL and the issued certificate carries the announced pin', async (algorithm) => {
    // A second early, for file systems that keep coarse modification times.
    const since = Date.now() - 2000;
    const { key, account } = await createBackupKey(ws, 'broker.example.com', { algorithm, subject: 'CN=broker.example.com, O=Acme, C=DE' });
    expect(key.pin).toMatch(/^sha256\/[A-Za-z0-9+/]{43}=$/);
    expect(account).toBe(backupKeyAccount('broker.example.com', key.id));

    const csrFile = join(pki.dir, `${key.id}.csr`);
    writeFileSync(csrFile, key.csrPem);
    // `openssl req -verify` checks the request's self-signature.
    expect(() => openssl(['req', '-in', csrFile, '-verify', '-noout'])).not.toThrow();
    const text = openssl(['req', '-in', csrFile, '-noout', '-subject', '-text']).toString();
    expect(text).toMatch(/CN\s*=\s*broker\.example\.com/);
    expect(text).toContain('DNS:broker.example.com');
    expect(text).toContain(algorithm === 'rsa-3072' ? '3072 bit' : 'P-256');
    expect(pinOfCsr(key.csrPem)).toBe(key.pin);

    const issued = pki.issue(csrFile, key.id);
    expect(opensslPin(issued)).toBe(key.pin);
    expect(pinOfCertificate(readFileSync(issued))).toBe(key.pin);

    // The private key is in the keychain, and it is the key of the pin.
    const stored = await keychain.get(account);
    expect(stored).not.toBeNull();
    const der = Buffer.from(stored!, 'base64');
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    expect(pinOfSpki(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }))).toBe(key.pin);

    // ... and nowhere on disk: not in the data folder, not in the temp folders, in no encoding.
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const needles = [der, Buffer.from(stored!), Buffer.from(pem.split('\n')[1]!), Buffer.from(der.toString('hex'))];
    expect(foundIn(home, needles, since)).toEqual([]);
    expect(foundIn(tmpdir(), needles, since)).toEqual([]);

    const listed = await listBackupKeys(ws, 'broker.example.com');
    expect(listed.map((k) => k.id)).toContain(key.id);
    const audit = await ws.store.auditEntries();
    const entry = audit.find((e) => e.action === 'pins.backup-key.created' && (e.details as Record<string, unknown>)?.id === key.id);
    expect(entry).toBeDefined();
    expect(JSON.stringify(audit)).not.toContain(stored!.slice(0, 40));
  });

  it('a wildcard host asks for the wildcard and the domain; a bad subject changes nothing', async () => {
    const { key } = await createBackupKey(ws, '**.plant.example.com');
    const csrFile = join(pki.dir, `${key.id}.csr`);
    writeFileSync(csrFile, key.csrPem);
    const text = openssl(['req', '-in', csrFile, '-noout', '-text']).toString();
    expect(text).toContain('DNS:*.plant.example.com');
    expect(text).toContain('DNS:plant.example.com');

    const before = (await keychain.accounts()).length;
    await expect(createBackupKey(ws, 'x.example.com', { subject: 'not a dn' })).rejects.toThrow(InvalidInputError);
    await expect(createBackupKey(ws, 'bad host!')).rejects.toThrow(InvalidInputError);
    expect((await keychain.accounts()).length).toBe(before);
  });

  it('removing a backup key deletes its keychain item', async () => {
    const { key, account } = await createBackupKey(ws, 'gone.example.com');
    await removeBackupKey(ws, key.id);
    expect(await keychain.get(account)).toBeNull();
    await expect(removeBackupKey(ws, key.id)).rejects.toThrow(NotFoundError);
  });
});

describe('pin sets in the store', () => {
  const A = opensslPinOf('rsa');
  const B = opensslPinOf('ec256');
  const C = opensslPinOf('ec384');
  function opensslPinOf(name: 'rsa' | 'ec256' | 'ec384'): () => string {
    return () => opensslPin(pki.leaves[name].cert);
  }

  it('a set needs a backup pin that is not an active pin, unless noBackup', async () => {
    await expect(setPinSet(ws, { host: 'mqtt.example.com', pins: [A()] })).rejects.toThrow(RefusedError);
    await expect(setPinSet(ws, { host: 'mqtt.example.com', pins: [A()], backupPins: [A()] })).rejects.toThrow(/also an active pin/);
    await expect(setPinSet(ws, { host: 'mqtt.example.com', pins: [A()], backupPins: ['sha256/abc'] })).rejects.toThrow(InvalidInputError);
    expect(await listPinSets(ws)).toEqual([]);

    const { set, replaced } = await setPinSet(ws, { host: 'MQTT.example.com', pins: [A()], backupPins: [`sha256//${B().slice(7)}`], expires: '2030-01-31' });
    expect(replaced).toBe(false);
    expect(set).toMatchObject({ host: 'mqtt.example.com', pins: [A()], backupPins: [B()], expires: '2030-01-31' });
    const unbacked = await setPinSet(ws, { host: 'legacy.example.com', pins: [A()], noBackup: true });
    expect(unbacked.set.backupPins).toEqual([]);
    // One year ahead when no expiry is given.
    expect(Number(unbacked.set.expires!.slice(0, 4))).toBe(new Date().getUTCFullYear() + 1);

    const again = await setPinSet(ws, { host: 'mqtt.example.com', pins: [A()], backupPins: [C()] });
    expect(again.replaced).toBe(true);
    expect((await getPinSet(ws, 'mqtt.example.com')).backupPins).toEqual([C()]);
    const actions = (await ws.store.auditEntries()).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['pins.set', 'pins.replaced']));

    await removePinSet(ws, 'legacy.example.com');
    await expect(removePinSet(ws, 'legacy.example.com')).rejects.toThrow(NotFoundError);
  });

  it('pinning the live chain needs confirmation and a backup pin not in that chain', async () => {
    const server = await startOpensslServer(pki.leaves.ec256, pki.intermediateCert, ['-tls1_3']);
    try {
      const chain = await fetchChain({ host: '127.0.0.1', port: server.port, servername: GOOD_NAME, ca: [readFileSync(pki.rootCert)], timeoutMs: 5000 });
      const live = { host: GOOD_NAME, chain: chain.certificates };
      await expect(setPinSetFromLive(ws, { ...live, backupPins: [A()], confirmed: false })).rejects.toThrow(/confirm/);
      await expect(setPinSetFromLive(ws, { ...live, backupPins: [], confirmed: true })).rejects.toThrow(/backup pin/);
      // The intermediate is in the live chain: not a backup.
      await expect(setPinSetFromLive(ws, { ...live, backupPins: [opensslPin(pki.intermediateCert)], confirmed: true })).rejects.toThrow(/in the chain the server presents now/);
      const { set } = await setPinSetFromLive(ws, { ...live, roles: ['leaf', 'root'], backupPins: [A()], confirmed: true });
      expect(set.pins).toEqual([opensslPin(pki.leaves.ec256.cert), opensslPin(pki.rootCert)]);
    } finally {
      await server.stop();
    }
  });

  it('promoteBackupPin: the backup becomes active, a new backup is required', async () => {
    await setPinSet(ws, { host: '*.rotate.example.com', pins: [A()], backupPins: [B()] });
    await expect(promoteBackupPin(ws, '*.rotate.example.com', B())).rejects.toThrow(RefusedError);
    const set = await promoteBackupPin(ws, '*.rotate.example.com', C());
    expect(set.pins).toEqual([B()]);
    expect(set.backupPins).toEqual([C()]);
    await expect(promoteBackupPin(ws, 'nothing.example.com', C())).rejects.toThrow(NotFoundError);
    expect((await ws.store.auditEntries()).some((e) => e.action === 'pins.backup-promoted')).toBe(true);
    expect((await ws.store.verifyAudit()).ok).toBe(true);
  });
});
