// Backup keys: a key pair held in reserve for a host, whose pin goes into the pin set now and
// whose CSR is sent to a CA when the server's key has to change. The private key goes to the
// keychain and nowhere else; the document keeps its metadata (pin, CSR).
import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { newId } from '../names.js';
import type { BackupKey } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { type Pin, pinOfCsr, pinOfSpki } from './pin.js';
import { parseHostPattern } from './host-pattern.js';
import type { BackupKeyAlgorithm } from '../../common/pins.js';

export type { BackupKey } from '../store/document.js';

export type { BackupKeyAlgorithm } from '../../common/pins.js';

export interface BackupKeyOptions {
  readonly algorithm?: BackupKeyAlgorithm;
  /** Distinguished name of the CSR, e.g. `CN=broker.example.com, O=Acme`; `CN=HOST` by default. */
  readonly subject?: string;
}

export interface NewBackupKey {
  readonly key: BackupKey;
  /** Where the private key is: the keychain account. */
  readonly account: string;
}

export function backupKeyAccount(host: string, id: string): string {
  return `pin-backup:${host}:${id}`;
}

const subtle = webcrypto.subtle;

type SigningAlgorithm = webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams;

async function generate(algorithm: BackupKeyAlgorithm): Promise<{ keys: webcrypto.CryptoKeyPair; signing: SigningAlgorithm }> {
  if (algorithm === 'rsa-3072') {
    const params: webcrypto.RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    return { keys: await subtle.generateKey(params, true, ['sign', 'verify']), signing: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  }
  const params: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
  return { keys: await subtle.generateKey(params, true, ['sign', 'verify']), signing: { name: 'ECDSA', hash: 'SHA-256' } };
}

/** Makes a backup key pair for a host: private key into the keychain, pin and CSR into the document. */
export async function createBackupKey(ws: Workspace, host: string, options: BackupKeyOptions = {}): Promise<NewBackupKey> {
  const pattern = parseHostPattern(host);
  const algorithm = options.algorithm ?? 'ec-p256';
  // @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  // Node's WebCrypto is the standard Crypto; only the type declarations differ (no DOM lib here).
  x509.cryptoProvider.set(webcrypto as never);
  // The CSR names a concrete host: `**.example.com` asks for `*.example.com` and `example.com`.
  const base = pattern.replace(/^\*\*\./, '').replace(/^\*\./, '');
  const dnsNames = pattern.startsWith('**.') ? [`*.${base}`, base] : [pattern];
  const subjectText = options.subject?.trim() || `CN=${dnsNames[0]}`;
  let name: InstanceType<typeof x509.Name>;
  try {
    name = new x509.Name(subjectText);
    if (name.toJSON().length === 0) throw new Error('empty');
  } catch {
    throw new InvalidInputError(`CSR subject ${JSON.stringify(subjectText)} is not a distinguished name; write it like "CN=broker.example.com, O=Acme, C=DE"`);
  }
  const { keys, signing } = await generate(algorithm);
  const san = new x509.SubjectAlternativeNameExtension(
    isIP(pattern) ? [{ type: 'ip', value: pattern }] : dnsNames.map((value) => ({ type: 'dns' as const, value })),
  );
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys: keys as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: signing,
    extensions: [san],
  });
  const csrPem = csr.toString('pem');
  const pin: Pin = pinOfSpki(new Uint8Array(await subtle.exportKey('spki', keys.publicKey)));
  // The pin announced is the pin any certificate issued for this CSR will carry.
  if (pinOfCsr(csrPem) !== pin) throw new Error('the CSR does not carry the generated key');

  const id = newId('bk');
  const account = backupKeyAccount(pattern, id);
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
  try {
    await ws.secrets.set(account, pkcs8.toString('base64'));
  } finally {
    pkcs8.fill(0);
  }
  const key: BackupKey = { id, host: pattern, algorithm, pin, csrPem, createdAt: ws.now().toISOString() };
  try {
    await ws.store.update((tx) => {
      tx.data.backupKeys.push({ ...key, createdAt: tx.now.toISOString() });
      tx.audit({ action: 'pins.backup-key.created', subject: pattern, details: { id, algorithm, pin } });
    });
  } catch (error) {
    // Without its metadata the keychain item would be an orphan nobody can find.
    await ws.secrets.delete(account).catch(() => undefined);
    throw error;
  }
  return { key, account };
}

export async function listBackupKeys(ws: Workspace, host?: string): Promise<ReadonlyArray<BackupKey>> {
  const keys = (await ws.store.read()).data.backupKeys;
  if (host === undefined) return keys;
  const pattern = parseHostPattern(host);
  return keys.filter((k) => k.host === pattern);
}

/** Deletes a backup key: its keychain item and its metadata. */
export async function removeBackupKey(ws: Workspace, id: string): Promise<BackupKey> {
  const removed = await ws.store.update((tx) => {
    const index = tx.data.backupKeys.findIndex((k) => k.id === id);
    if (index < 0) throw new NotFoundError(`no backup key with id ${JSON.stringify(id)}`);
    const [key] = tx.data.backupKeys.splice(index, 1);
    tx.audit({ action: 'pins.backup-key.removed', subject: key!.host, details: { id, pin: key!.pin } });
    return key!;
  });
  await ws.secrets.delete(backupKeyAccount(removed.host, removed.id));
  return removed;
}
