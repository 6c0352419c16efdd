// The bundle writer: a device's bundle OUT/devices/NAME/ (NAME.cert, NAME.cert_secret (0600; none
// when the row brought its own public key), the server's public cert, config.json, NAME.png) is
// built in a hidden folder and renamed into place, so it is there whole or not at all, and a rerun
// skips it; then its allowlist entry OUT/allowlist/NAME.key, a link to the bundle's public cert.
import { randomBytes } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PublicKey, type SecretKey, generateKeyPair } from '../curve/keys.js';
import { safetyCode } from '../curve/safety-code.js';
import { InvalidInputError } from '../errors.js';
import { readInputFileSync } from '../files.js';
import { certFileNames, formatCertFile, parseCertFile } from '../formats/cert-file.js';
import { qrPayload } from '../formats/qr/payload.js';
import { newId } from '../names.js';
import { allowFileOf, type ProvisionOutput } from './output.js';
import type { Device, Server } from './plan.js';

/** A device whose bundle is in place (made now, or found from an earlier run). */
export interface Made {
  readonly device: Device;
  readonly publicKey: PublicKey;
  /** Held only until the keychain write when secrets are kept; never written to a result. */
  secretKey: SecretKey | null;
  /**
   * The identity id its kept secret goes under (keychain account `identity:ID:1`), chosen before
   * the bundle is written and kept in its config.json: a rerun after a crash writes the same
   * account again, so an item left by the crash is adopted, never orphaned.
   */
  readonly identityId: string | null;
  readonly createdAt: string | null;
}

/** A device with its key pair made and its QR text, ready to be written. */
export interface Prepared {
  readonly device: Device;
  readonly pair: { readonly publicKey: PublicKey; readonly secretKey: SecretKey } | null;
  readonly identityId: string | null;
  readonly publicKey: PublicKey;
  /** The QR text: public material only. */
  readonly payload: string;
}

/**
 * Puts `text` at `to` as a hard link to `from` (which holds the same text): a link costs a
 * fraction of a new file, and 10,000 bundles share one server certificate. Where the file system
 * has no hard links, `to` gets its own copy.
 */
function sameFile(from: string, to: string, text: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EMLINK') throw error;
    const temp = `${to}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, text, { mode: 0o644, flag: 'wx' });
    renameSync(temp, to);
  }
}

export interface BundleWriterOptions {
  readonly server: Server;
  /** The endpoint written into the server's certificate. */
  readonly serverEndpoint: string | null;
  readonly now: Date;
  readonly keepSecrets: boolean;
}

export class BundleWriter {
  readonly #output: ProvisionOutput;
  readonly #options: BundleWriterOptions;
  readonly #serverCertFile: string;
  readonly #serverCertText: string;
  readonly #serverConfig: { readonly name: string; readonly publicKey: PublicKey; readonly safetyCode: string };
  #serverCertPath: string | null = null;
  // Names are device-unique already: one random token per run keeps temporary names apart from another run's.
  readonly #runToken = randomBytes(6).toString('hex');

  constructor(output: ProvisionOutput, options: Readonly<BundleWriterOptions>) {
    this.#output = output;
    this.#options = options;
    const { server, serverEndpoint, now } = options;
    this.#serverCertFile = certFileNames(server.name, 'zcert').publicFile;
    this.#serverCertText = formatCertFile({ publicKey: server.publicKey, metadata: { name: server.name, ...(serverEndpoint ? { endpoint: serverEndpoint } : {}) } }, 'zcert', { secret: false, now });
    this.#serverConfig = { name: server.name, publicKey: server.publicKey, safetyCode: safetyCode(server.publicKey) };
  }

  /** The server's certificate, beside the bundles; each bundle holds a hard link to it. */
  async writeServerCert(): Promise<void> {
    this.#serverCertPath = await this.#output.writeServerCert(this.#options.server, this.#serverCertText);
  }

  /** A key pair (unless the row brought its public key) and the QR text of the device. */
  prepare(device: Device): Prepared {
    const pair = device.publicKey ? null : generateKeyPair();
    const publicKey = device.publicKey ?? pair!.publicKey;
    const identityId = this.#options.keepSecrets && pair ? newId('id') : null;
    return { device, pair, identityId, publicKey, payload: qrPayload({ name: device.name, endpoint: device.endpoint, publicKey }) };
  }

  /**
   * Writes the bundle and its allowlist entry. Synchronous file calls: creating files costs kernel
   * time, and measured on ext4 parallel writers into one folder only contend (more system time,
   * slower), while thread-pool round trips double the system time per file.
   */
  write({ device, pair, identityId, publicKey }: Prepared, png: Uint8Array, createdAt: string): Made {
    if (this.#serverCertPath === null) throw new Error('writeServerCert() comes first');
    const { now, keepSecrets } = this.#options;
    const devicesDir = this.#output.devicesDir;
    const names = certFileNames(device.name, 'zcert');
    const metadata = { name: device.name, endpoint: device.endpoint };
    const temp = join(devicesDir, `.${device.name}.partial-${this.#runToken}`);
    const bundle = join(devicesDir, device.name);
    const config = {
      name: device.name,
      endpoint: device.endpoint,
      publicKey,
      safetyCode: safetyCode(publicKey),
      server: this.#serverConfig,
      files: { publicCert: names.publicFile, secretCert: pair ? names.secretFile : null, serverCert: this.#serverCertFile, qr: `${device.name}.png` },
      ...(identityId ? { identityId } : {}),
    };
    const publicText = formatCertFile({ publicKey, metadata }, 'zcert', { secret: false, now });
    try {
      mkdirSync(temp, { mode: pair ? 0o700 : 0o755 });
      // Created 0600 from the first byte: the secret never sits in a file others may read.
      if (pair) writeFileSync(join(temp, names.secretFile), formatCertFile({ publicKey, secretKey: pair.secretKey, metadata }, 'zcert', { secret: true, now, freshPair: true }), { mode: 0o600, flag: 'wx' });
      writeFileSync(join(temp, names.publicFile), publicText, { mode: 0o644, flag: 'wx' });
      writeFileSync(join(temp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
      writeFileSync(join(temp, `${device.name}.png`), png, { mode: 0o644, flag: 'wx' });
      sameFile(this.#serverCertPath, join(temp, this.#serverCertFile), this.#serverCertText);
      renameSync(temp, bundle);
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      throw error;
    }
    // The allowlist entry is the bundle's public certificate (a link appears whole, at once); a
    // stale entry of an earlier bundle of this name, removed by the user, is replaced whole.
    const allowDir = this.#output.allowDir;
    const allowFile = allowFileOf(device.name);
    const allowPath = join(allowDir, allowFile);
    if (this.#output.existingAllow.has(allowFile)) {
      const staged = join(allowDir, `.${allowFile}.${this.#runToken}.tmp`);
      sameFile(join(bundle, names.publicFile), staged, publicText);
      renameSync(staged, allowPath);
    } else {
      sameFile(join(bundle, names.publicFile), allowPath, publicText);
    }
    this.#output.existingAllow.add(allowFile);
    return { device, publicKey, secretKey: keepSecrets && pair ? pair.secretKey : null, identityId, createdAt };
  }

  /** The public key of an existing bundle, as its public certificate holds it. */
  existingKey(device: Device): PublicKey {
    const certPath = join(this.#output.devicesDir, device.name, certFileNames(device.name, 'zcert').publicFile);
    return parseCertFile(readInputFileSync(certPath, 64 * 1024).toString('utf8'), certPath).publicKey;
  }

  /**
   * The secret of an existing bundle made here (null for a device that brought its own key), and
   * the identity id its config.json names for it, if any.
   */
  existingSecret(device: Device, publicKey: PublicKey): { secretKey: SecretKey; identityId: string | null } | null {
    const bundle = join(this.#output.devicesDir, device.name);
    const secretPath = join(bundle, certFileNames(device.name, 'zcert').secretFile);
    try {
      lstatSync(secretPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const cert = parseCertFile(readInputFileSync(secretPath, 64 * 1024).toString('utf8'), secretPath);
    if (!cert.secretKey || cert.publicKey !== publicKey) throw new InvalidInputError(`${secretPath} does not hold the secret of the bundle's public key`);
    let identityId: string | null = null;
    try {
      const config = JSON.parse(readInputFileSync(join(bundle, 'config.json'), 1024 * 1024).toString('utf8')) as { identityId?: unknown };
      if (typeof config.identityId === 'string' && /^id_[0-9a-f]{12}$/.test(config.identityId)) identityId = config.identityId;
    } catch {
      // No usable config.json: the secret is kept under a new id.
    }
    return { secretKey: cert.secretKey, identityId };
  }

  /** Skipped devices whose allowlist files went missing get them back; existing files are untouched. */
  async restoreAllowEntries(made: ReadonlyArray<Made>): Promise<void> {
    const missing = made.filter((m) => !this.#output.existingAllow.has(allowFileOf(m.device.name)));
    const files = missing.map((m) => ({
      name: allowFileOf(m.device.name),
      content: formatCertFile({ publicKey: m.publicKey, metadata: { name: m.device.name } }, 'zcert', { secret: false, now: this.#options.now }),
    }));
    await this.#output.allowFolder.writeAll(files, 0o644);
  }
}
