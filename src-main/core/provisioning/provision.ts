// Bulk device provisioning (`curvekeep provision`): a CSV of devices becomes
//   OUT/devices/NAME/    the device's bundle: NAME.cert, NAME.cert_secret (0600; none when the row
//                        brought its own public key), the server's public cert, config.json, NAME.png
//   OUT/allowlist/       the server's allowlist: NAME.key public files (zcertstore and pyzmq read them)
//   OUT/manifest.json    devices, public keys, safety codes, the server, when
//   OUT/results.csv      one line per input row: ok, skipped (bundle exists) or failed, and why
// and the devices become allowed peers, all in one store update. A bundle is built in a hidden
// folder and renamed into place, so it is there whole or not at all, and a rerun skips it.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type PublicKey, type SecretKey, generateKeyPair } from '../curve/keys.js';
import { safetyCode } from '../curve/safety-code.js';
import { InvalidInputError, isCurvekeepError, RefusedError } from '../errors.js';
import { pathExists, readInputFile } from '../files.js';
import { certFileNames, formatCertFile, parseCertFile } from '../formats/cert-file.js';
import { csvText } from '../formats/csv-cell.js';
import { qrPayload } from '../formats/qr/payload.js';
import { findIdentity, secretAccount } from '../identities/identities.js';
import { newId, resolveRef } from '../names.js';
import { OwnedFolder } from '../owned-folder.js';
import { DEFAULT_ROTATION_DAYS } from '../rotation/policy.js';
import type { Identity, Peer } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { type CheckedDevice, checkDeviceRow, readDeviceRows } from './device-csv.js';
import { qrRenderer } from '../formats/qr/bulk-renderer.js';

export const PROVISION_TAG = 'provisioned';
const MAX_CSV_BYTES = 64 * 1024 * 1024;
/** Existing bundles read at once, and keychain writes in flight. */
const CONCURRENCY = 16;
/** Devices per batch: the QR worker draws one batch while the main thread writes the one before. */
const BATCH = 200;

export interface ProvisionRequest {
  readonly csvPath: string;
  /** The server the devices connect to: an own identity or a peer (its public key is used). */
  readonly serverRef: string;
  readonly outDir: string;
  /** For rows without an endpoint; default: the server's first endpoint. */
  readonly endpoint?: string | null;
  /** Also keep each made device secret in the keychain, as an identity of role device. */
  readonly keepSecrets?: boolean;
  /** Replace files of the output folder that Curvekeep did not write (a foreign manifest.json, results.csv, allowlist file). */
  readonly force?: boolean;
  readonly onProgress?: (progress: Readonly<ProvisionProgress>) => void;
}

export interface ProvisionProgress {
  readonly done: number;
  readonly total: number;
}

export type RowStatus = 'ok' | 'skipped' | 'failed';

export interface RowResult {
  readonly row: number;
  readonly name: string;
  readonly status: RowStatus;
  readonly reason: string;
  readonly publicKey: PublicKey | null;
}

export interface ProvisionResult {
  readonly outDir: string;
  readonly server: { readonly name: string; readonly publicKey: PublicKey };
  readonly total: number;
  readonly ok: number;
  readonly skipped: number;
  readonly failed: number;
  readonly rows: ReadonlyArray<RowResult>;
  readonly manifest: string;
  readonly results: string;
  readonly allowlist: string;
  /** Devices newly recorded as allowed peers (rerun: bundles whose peer was missing count too). */
  readonly peersAdded: number;
  readonly secretsKept: number;
}

interface Server {
  readonly name: string;
  readonly publicKey: PublicKey;
  readonly endpoint: string | null;
}

interface Device extends CheckedDevice {
  readonly index: number;
}

interface Prepared {
  readonly device: Device;
  readonly pair: { readonly publicKey: PublicKey; readonly secretKey: SecretKey } | null;
  readonly identityId: string | null;
  readonly publicKey: PublicKey;
  /** The QR text: public material only. */
  readonly payload: string;
}

interface Made {
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

function findServer(identities: ReadonlyArray<Identity>, peers: ReadonlyArray<Peer>, ref: string): Server {
  try {
    const identity = findIdentity(identities, ref);
    const current = identity.generations.find((g) => g.state === 'current') ?? identity.generations.at(-1)!;
    return { name: identity.name, publicKey: current.publicKey as PublicKey, endpoint: identity.endpoints[0] ?? null };
  } catch (error) {
    if (!isCurvekeepError(error) || error.code !== 'not-found') throw error;
  }
  try {
    const peer = resolveRef(peers, ref, 'peer');
    return { name: peer.name, publicKey: peer.publicKey as PublicKey, endpoint: peer.endpoints[0] ?? null };
  } catch (error) {
    if (isCurvekeepError(error) && error.code === 'not-found') {
      throw new InvalidInputError(`no identity or peer ${JSON.stringify(ref)} to be the devices' server; \`curvekeep keys list\` and \`curvekeep peers list\` show them`);
    }
    throw error;
  }
}

function reasonOf(error: unknown): string {
  if (isCurvekeepError(error)) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  return `cannot write the bundle: ${code ?? (error as Error).message}`;
}

async function listFolder(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
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

/**
 * The secret of a bundle made here (none for a device that brought its own key), and the identity
 * id its config.json names for it, if any.
 */
async function bundleSecret(bundle: string, name: string, publicKey: PublicKey): Promise<{ secretKey: SecretKey; identityId: string | null } | null> {
  const secretPath = join(bundle, certFileNames(name, 'zcert').secretFile);
  if (!(await pathExists(secretPath))) return null;
  const cert = parseCertFile((await readInputFile(secretPath, 64 * 1024)).toString('utf8'), secretPath);
  if (!cert.secretKey || cert.publicKey !== publicKey) throw new InvalidInputError(`${secretPath} does not hold the secret of the bundle's public key`);
  let identityId: string | null = null;
  try {
    const config = JSON.parse((await readInputFile(join(bundle, 'config.json'), 1024 * 1024)).toString('utf8')) as { identityId?: unknown };
    if (typeof config.identityId === 'string' && /^id_[0-9a-f]{12}$/.test(config.identityId)) identityId = config.identityId;
  } catch {
    // No usable config.json: the secret is kept under a new id.
  }
  return { secretKey: cert.secretKey as SecretKey, identityId };
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: ReadonlyArray<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface ManifestDevice {
  readonly name: string;
  readonly publicKey: string;
  readonly safetyCode: string;
  readonly endpoint: string;
  readonly tags: ReadonlyArray<string>;
  readonly ownKey: boolean;
  readonly bundle: string;
  readonly createdAt: string | null;
}

interface PreviousManifest {
  readonly server?: { readonly name?: string; readonly publicKey?: string };
  readonly devices?: ManifestDevice[];
}

async function previousManifest(path: string): Promise<PreviousManifest | null> {
  try {
    return JSON.parse((await readInputFile(path, MAX_CSV_BYTES)).toString('utf8')) as PreviousManifest;
  } catch {
    return null;
  }
}

/** Scope of provisioning output in a folder's owned-file manifest. */
const PROVISION_SCOPE = 'provision';
const MANIFEST_FILE = 'manifest.json';
const RESULTS_FILE = 'results.csv';

/**
 * Tests only: CURVEKEEP_TEST_CRASH=rows:N or secrets:N kills this process (SIGKILL) after the
 * Nth bundle or keychain write, to prove that a rerun completes an interrupted run.
 */
function crashPoint(kind: 'rows' | 'secrets', count: number): void {
  if (process.env.CURVEKEEP_TEST_CRASH === `${kind}:${count}`) process.kill(process.pid, 'SIGKILL');
}

export async function provisionDevices(ws: Workspace, request: Readonly<ProvisionRequest>): Promise<ProvisionResult> {
  const text = (await readInputFile(request.csvPath, MAX_CSV_BYTES)).toString('utf8');
  const rows = readDeviceRows(text, request.csvPath);
  const { data } = await ws.store.read();
  const server = findServer(data.identities, data.peers, request.serverRef);
  const now = ws.now();
  const createdAt = now.toISOString();
  const defaultEndpoint = request.endpoint?.trim() || server.endpoint;
  const keepSecrets = request.keepSecrets === true;

  const out = request.outDir;
  const devicesDir = join(out, 'devices');
  const allowDir = join(out, 'allowlist');
  const force = request.force === true;
  const serverCertFile = certFileNames(server.name, 'zcert').publicFile;
  // The folder must be this run's or a rerun's: a manifest.json Curvekeep did not write, or one
  // of a provisioning for another server, is never replaced or merged into.
  const outFolder = await OwnedFolder.open(out, PROVISION_SCOPE, { force });
  const manifestPath = join(out, MANIFEST_FILE);
  const previous = outFolder.owns(MANIFEST_FILE) ? await previousManifest(manifestPath) : null;
  if (previous?.server?.publicKey && previous.server.publicKey !== server.publicKey) {
    throw new RefusedError(`${out} holds the output of another provisioning run (for server ${previous.server.name ?? previous.server.publicKey}); nothing was changed: choose another folder`);
  }
  await outFolder.claim([MANIFEST_FILE, RESULTS_FILE, serverCertFile]);
  const allowFolder = await OwnedFolder.open(allowDir, PROVISION_SCOPE, { force });
  try {
    await mkdir(devicesDir, { recursive: true });
  } catch (error) {
    throw new InvalidInputError(`cannot create ${out}: ${(error as NodeJS.ErrnoException).code}`);
  }
  // Half-built bundles of an interrupted run: never renamed into place, so never handed out.
  const existingEntries = await listFolder(devicesDir);
  await Promise.all(existingEntries.filter((n) => n.startsWith('.') && n.includes('.partial-')).map((n) => rm(join(devicesDir, n), { recursive: true, force: true })));
  const existingBundles = new Set(existingEntries.filter((n) => !n.startsWith('.')));
  const existingAllow = new Set(await listFolder(allowDir));
  const earlier = new Map((previous?.devices ?? []).filter((d) => typeof d?.name === 'string').map((d) => [d.name, d]));
  const allowFileOf = (name: string): string => certFileNames(name, 'pyzmq').publicFile;
  // An allowlist file Curvekeep did not write is never replaced (unless forced): its row fails.
  const notOwnedAllow = new Set(await allowFolder.notOwned(existingAllow));

  const peersByName = new Map(data.peers.map((p) => [p.name, p]));
  const identityNames = new Set(data.identities.map((i) => i.name));
  const results: RowResult[] = new Array(rows.length);
  const fail = (index: number, row: number, name: string, reason: string): void => {
    results[index] = { row, name, status: 'failed', reason, publicKey: null };
  };

  // Pass 1: check every row on its own and against the others; nothing is written yet.
  const seenNames = new Map<string, number>();
  const seenKeys = new Map<string, number>();
  const toMake: Device[] = [];
  const toSkip: Device[] = [];
  rows.forEach((raw, index) => {
    let device: Device;
    try {
      device = { ...checkDeviceRow(raw, defaultEndpoint), index };
    } catch (error) {
      fail(index, raw.row, raw.name, reasonOf(error));
      return;
    }
    // Case-insensitive: the bundles end up on file systems that fold case.
    const folded = device.name.toLowerCase();
    const twin = seenNames.get(folded);
    if (twin !== undefined) return fail(index, raw.row, device.name, `duplicate name: row ${twin} has it already`);
    seenNames.set(folded, raw.row);
    if (device.name.toLowerCase() === server.name.toLowerCase()) return fail(index, raw.row, device.name, `a device cannot have the server's name (${server.name}); its certificate shares the bundle`);
    if (device.publicKey) {
      const keyTwin = seenKeys.get(device.publicKey);
      if (keyTwin !== undefined) return fail(index, raw.row, device.name, `public_key is also the key of row ${keyTwin}; every device needs its own key`);
      if (device.publicKey === server.publicKey) return fail(index, raw.row, device.name, "public_key is the server's own key");
      seenKeys.set(device.publicKey, raw.row);
    }
    if (existingBundles.has(device.name)) {
      toSkip.push(device);
      return;
    }
    const peer = peersByName.get(device.name);
    if (peer && peer.publicKey !== device.publicKey) {
      return fail(index, raw.row, device.name, `a peer named ${device.name} exists already with another key; remove it or rename the device`);
    }
    if (keepSecrets && identityNames.has(device.name)) return fail(index, raw.row, device.name, `an identity named ${device.name} exists already`);
    if (notOwnedAllow.has(allowFileOf(device.name))) {
      return fail(index, raw.row, device.name, `${join(allowDir, allowFileOf(device.name))} exists and Curvekeep did not write it; it was left as it is (allow overwriting to replace it)`);
    }
    toMake.push(device);
  });

  const total = rows.length;
  let done = rows.length - toMake.length - toSkip.length;
  const progress = (): void => request.onProgress?.({ done, total });
  progress();

  // Skipped devices: their files stay as they are; their key comes from their bundle.
  const made: Made[] = [];
  const serverConfig = { name: server.name, publicKey: server.publicKey, safetyCode: safetyCode(server.publicKey) };
  const serverCertText = formatCertFile({ publicKey: server.publicKey, metadata: { name: server.name, ...(defaultEndpoint ? { endpoint: defaultEndpoint } : {}) } }, 'zcert', { secret: false, now });
  // The server's certificate, beside the bundles; each bundle holds a hard link to it.
  const serverCertPath = await outFolder.write(serverCertFile, serverCertText, 0o644);
  // Every allowlist file this run may write, recorded as Curvekeep's before any is written.
  await allowFolder.claim([...toMake, ...toSkip].map((d) => allowFileOf(d.name)).filter((f) => !notOwnedAllow.has(f)));

  // Names device-unique already: one random token per run keeps temporary names apart from another run's.
  const runToken = randomBytes(6).toString('hex');
  const prepare = (device: Device): Prepared => {
    const pair = device.publicKey ? null : generateKeyPair();
    const publicKey = device.publicKey ?? pair!.publicKey;
    const identityId = keepSecrets && pair ? newId('id') : null;
    return { device, pair, identityId, publicKey, payload: qrPayload({ name: device.name, endpoint: device.endpoint, publicKey }) };
  };
  const writeBundle = ({ device, pair, identityId, publicKey }: Prepared, png: Uint8Array): Made => {
    const names = certFileNames(device.name, 'zcert');
    const metadata = { name: device.name, endpoint: device.endpoint };
    const temp = join(devicesDir, `.${device.name}.partial-${runToken}`);
    const bundle = join(devicesDir, device.name);
    const config = {
      name: device.name,
      endpoint: device.endpoint,
      publicKey,
      safetyCode: safetyCode(publicKey),
      server: serverConfig,
      files: { publicCert: names.publicFile, secretCert: pair ? names.secretFile : null, serverCert: serverCertFile, qr: `${device.name}.png` },
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
      sameFile(serverCertPath, join(temp, serverCertFile), serverCertText);
      renameSync(temp, bundle);
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      throw error;
    }
    // The allowlist entry is the bundle's public certificate (a link appears whole, at once); a
    // stale entry of an earlier bundle of this name, removed by the user, is replaced whole.
    const allowFile = certFileNames(device.name, 'pyzmq').publicFile;
    const allowPath = join(allowDir, allowFile);
    if (existingAllow.has(allowFile)) {
      const staged = join(allowDir, `.${allowFile}.${runToken}.tmp`);
      sameFile(join(bundle, names.publicFile), staged, publicText);
      renameSync(staged, allowPath);
    } else {
      sameFile(join(bundle, names.publicFile), allowPath, publicText);
    }
    existingAllow.add(allowFile);
    results[device.index] = { row: device.row, name: device.name, status: 'ok', reason: '', publicKey };
    return { device, publicKey, secretKey: keepSecrets && pair ? pair.secretKey : null, identityId, createdAt };
  };

  await eachLimited(toSkip, CONCURRENCY, async (device) => {
    const certPath = join(devicesDir, device.name, certFileNames(device.name, 'zcert').publicFile);
    try {
      const cert = parseCertFile(await readFile(certPath, 'utf8'), certPath);
      if (device.publicKey && device.publicKey !== cert.publicKey) {
        fail(device.index, device.row, device.name, `its bundle exists already with another public key (${cert.publicKey}); it was left as it is`);
      } else {
        results[device.index] = { row: device.row, name: device.name, status: 'skipped', reason: 'bundle exists already; left unchanged', publicKey: cert.publicKey };
        // A run killed before its secrets were kept: this run keeps them, from the bundle.
        const kept = keepSecrets && !identityNames.has(device.name) ? await bundleSecret(join(devicesDir, device.name), device.name, cert.publicKey) : null;
        made.push({ device, publicKey: cert.publicKey, secretKey: kept?.secretKey ?? null, identityId: kept?.identityId ?? null, createdAt: earlier.get(device.name)?.createdAt ?? null });
      }
    } catch (error) {
      fail(device.index, device.row, device.name, `its bundle folder exists but is damaged (${reasonOf(error)}); remove ${join(devicesDir, device.name)} and run again`);
    }
    done += 1;
    progress();
  });

  // New devices: key pair, bundle in a hidden folder, renamed into place; then its allowlist entry.
  // Synchronous file calls, one device after the other: creating files costs kernel time, and
  // measured on ext4 parallel writers into one folder only contend (more system time, slower),
  // while thread-pool round trips double the system time per file.
  // Batches flow through a pipeline: while the main thread writes one batch's files, the QR
  // worker draws the next batch's codes.
  const renderer = qrRenderer();
  let written = 0;
  try {
    const batches: Device[][] = [];
    for (let i = 0; i < toMake.length; i += BATCH) batches.push(toMake.slice(i, i + BATCH));
    const start = (batch: Device[]): { prepared: Prepared[]; pngs: Promise<ReadonlyArray<Uint8Array>> } => {
      const prepared = batch.map(prepare);
      return { prepared, pngs: renderer.render(prepared.map((p) => p.payload)) };
    };
    let current = batches.length > 0 ? start(batches[0]!) : null;
    for (let b = 0; current; b++) {
      const next = b + 1 < batches.length ? start(batches[b + 1]!) : null;
      const pngs = await current.pngs;
      current.prepared.forEach((item, i) => {
        const { device } = item;
        try {
          made.push(writeBundle(item, pngs[i]!));
          crashPoint('rows', ++written);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          fail(device.index, device.row, device.name, code === 'ENOTEMPTY' || code === 'EEXIST' ? 'its bundle appeared meanwhile (another run?); left as it is' : reasonOf(error));
        }
        done += 1;
      });
      progress();
      current = next;
    }
  } finally {
    await renderer.close();
  }
  progress();

  // Skipped devices whose allowlist file went missing get it back; existing files are untouched.
  for (const m of made) {
    const allowFile = allowFileOf(m.device.name);
    if (existingAllow.has(allowFile)) continue;
    await allowFolder.write(allowFile, formatCertFile({ publicKey: m.publicKey, metadata: { name: m.device.name } }, 'zcert', { secret: false, now }), 0o644);
  }

  const { peersAdded, secretsKept } = await recordDevices(ws, made, keepSecrets, results, request.outDir);

  // manifest.json: every device of this run, plus earlier devices of this folder not in this CSV.
  made.sort((a, b) => a.device.index - b.device.index);
  const manifestDevices: ManifestDevice[] = made
    .filter((m) => results[m.device.index]!.status !== 'failed')
    .map((m) => ({
      name: m.device.name,
      publicKey: m.publicKey,
      safetyCode: safetyCode(m.publicKey),
      endpoint: m.device.endpoint,
      tags: m.device.tags,
      ownKey: m.device.publicKey !== null,
      bundle: `devices/${m.device.name}`,
      createdAt: m.createdAt,
    }));
  const inRun = new Set(manifestDevices.map((d) => d.name));
  for (const [name, device] of earlier) if (!inRun.has(name)) manifestDevices.push(device);
  const manifest = {
    format: 'curvekeep-provision/1',
    createdAt,
    server: { name: server.name, publicKey: server.publicKey, safetyCode: safetyCode(server.publicKey), endpoint: defaultEndpoint ?? null },
    allowlist: 'allowlist',
    devices: manifestDevices,
  };
  await outFolder.write(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`, 0o644);
  const csv = csvText(['row', 'name', 'status', 'reason', 'public_key'], results.map((r) => [r.row, r.name, r.status, r.reason, r.publicKey ?? '']));
  const resultsPath = await outFolder.write(RESULTS_FILE, csv, 0o644);

  const count = (status: RowStatus): number => results.filter((r) => r.status === status).length;
  return {
    outDir: out,
    server: { name: server.name, publicKey: server.publicKey },
    total,
    ok: count('ok'),
    skipped: count('skipped'),
    failed: count('failed'),
    rows: results,
    manifest: manifestPath,
    results: resultsPath,
    allowlist: allowDir,
    peersAdded,
    secretsKept,
  };
}

/**
 * One store update for the whole run: every device becomes an allowed peer tagged `provisioned`
 * (the server must admit it), and with keepSecrets an identity of role device whose secret is in
 * the keychain under the usual `identity:ID:1` account.
 */
async function recordDevices(
  ws: Workspace,
  made: Made[],
  keepSecrets: boolean,
  results: RowResult[],
  outDir: string,
): Promise<{ peersAdded: number; secretsKept: number }> {
  const kept: Array<{ made: Made; id: string; account: string }> = [];
  if (keepSecrets) {
    // Before the document, like every identity: a crash leaves a stray item, never a key without secret.
    const withSecret = made.filter((m) => m.secretKey !== null);
    await eachLimited(withSecret, 8, async (m) => {
      const id = m.identityId ?? newId('id');
      const account = secretAccount(id, 1);
      await ws.secrets.set(account, m.secretKey!);
      m.secretKey = null;
      kept.push({ made: m, id, account });
      crashPoint('secrets', kept.length);
    });
  }
  try {
    return await ws.store.update((tx) => {
      const at = tx.now.toISOString();
      const peers = new Map(tx.data.peers.map((p) => [p.name, p]));
      const identityNames = new Set(tx.data.identities.map((i) => i.name));
      let peersAdded = 0;
      for (const m of made) {
        const { device } = m;
        const existing = peers.get(device.name);
        if (existing) {
          if (existing.publicKey === m.publicKey) continue;
          // Changed since the rows were checked (another run): the bundle stays, the peer is not replaced.
          results[device.index] = { ...results[device.index]!, status: 'failed', reason: `a peer named ${device.name} appeared meanwhile with another key; not recorded` };
          continue;
        }
        const peer: Peer = {
          id: newId('peer'),
          name: device.name,
          publicKey: m.publicKey,
          endpoints: [device.endpoint],
          tags: [...new Set([...device.tags, PROVISION_TAG])],
          allowed: true,
          createdAt: at,
          source: 'provision',
          // A key made here is authentic by construction; a key brought in the CSV is not checked yet.
          verification: device.publicKey === null ? { state: 'verified', at, by: 'curvekeep provision (key made here)' } : { state: 'unverified' },
        };
        tx.data.peers.push(peer);
        peers.set(peer.name, peer);
        peersAdded += 1;
        tx.audit({ action: 'peer.added', subject: peer.name, details: { id: peer.id, publicKey: peer.publicKey, allowed: true, source: 'provision' } });
      }
      for (const k of kept) {
        const { device } = k.made;
        if (identityNames.has(device.name)) throw new InvalidInputError(`an identity named ${device.name} appeared meanwhile; run again`);
        tx.data.identities.push({
          id: k.id,
          name: device.name,
          role: 'device',
          tags: [...new Set([...device.tags, PROVISION_TAG])],
          endpoints: [device.endpoint],
          createdAt: at,
          rotateEveryDays: DEFAULT_ROTATION_DAYS.device,
          generations: [{ generation: 1, publicKey: k.made.publicKey, state: 'current', createdAt: at }],
        });
        tx.audit({ action: 'identity.provisioned', subject: device.name, details: { id: k.id, role: 'device', publicKey: k.made.publicKey } });
      }
      tx.audit({
        action: 'provision.completed',
        subject: outDir,
        details: {
          ok: results.filter((r) => r.status === 'ok').length,
          skipped: results.filter((r) => r.status === 'skipped').length,
          failed: results.filter((r) => r.status === 'failed').length,
          peersAdded,
          secretsKept: kept.length,
        },
      });
      return { peersAdded, secretsKept: kept.length };
    });
  } catch (error) {
    await Promise.all(kept.map((k) => ws.secrets.delete(k.account).catch(() => undefined)));
    throw error;
  }
}
