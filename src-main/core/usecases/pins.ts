// The pins use cases: one entry per user operation, called by both the CLI (cli/commands/pins.ts)
// and the IPC handlers (ipc/handlers/pins.ts), which only parse, call this, and phrase the result.
// One default per decision: the same timeout, the same legacy probes, the same findings.
import { type CertificateRole, PIN_EXPORT_ROLES, type PinExportFormat, isWeakSeverity } from '../../common/pins.js';
import { InvalidInputError } from '../errors.js';
import type { BackupKey, PinSet, PinSetLastCheck } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { BackupPinRequiredError, LiveChainUnconfirmedError } from '../pins/errors.js';
import { parseHostPattern } from '../pins/host-pattern.js';
import { parsePin } from '../pins/pin.js';
import { type PinCheck, checkPins, pinFindings } from '../pins/pin-check.js';
import { type ExportedPins, exportPins } from '../pins/pin-export.js';
import * as pinSets from '../pins/pin-set.js';
import type { LiveChain, TlsTarget } from '../pins/tls-chain.js';
import { type Finding, type TlsReport, checkTls } from '../pins/tls-report.js';
import { computePinsOfHost, withTimeout } from './pin-compute.js';

export { DEFAULT_TLS_TIMEOUT_MS } from '../pins/tls-chain.js';
export { type FileKind, type FilePins, type HostPins, computePinsOfFile, computePinsOfHost } from './pin-compute.js';
export { createBackupKey } from '../pins/backup-key.js';
export { removePinSet } from '../pins/pin-set.js';

function endpointOf(target: Pick<TlsTarget, 'host' | 'port'>): string {
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}

export interface EndpointCheck {
  /** No warning and no error, pins included. */
  readonly ok: boolean;
  readonly chain: LiveChain;
  readonly legacy: TlsReport['legacy'];
  readonly legacyOnly: boolean;
  /** The TLS report's findings, then the pin verdict's. */
  readonly findings: ReadonlyArray<Finding>;
  readonly pins: PinCheck;
}

export interface CheckOptions {
  /** Probe TLS 1.0 and 1.1 (two more connections); on by default. */
  readonly legacy?: boolean;
}

/** `pins check`: the TLS report of a live endpoint and the verdict of the pin sets that apply to it. */
export async function checkEndpoint(ws: Workspace, target: TlsTarget, options: CheckOptions = {}): Promise<EndpointCheck> {
  const now = ws.now();
  const report = await checkTls(withTimeout(target), { now, skipLegacy: options.legacy === false });
  const { data } = await ws.store.read();
  const hostname = report.chain.checkedName;
  const pins = checkPins(report.chain.certificates, hostname, pinSets.pinSetsFor(data, hostname), now);
  const findings = [...report.findings, ...pinFindings(pins)];
  await recordLastCheck(ws, report.chain, pins);
  return { ok: !findings.some((f) => isWeakSeverity(f.severity)), chain: report.chain, legacy: report.legacy, legacyOnly: report.legacyOnly, findings, pins };
}

/**
 * Records the leaf's expiry on each pin set that applied (one store update; none when no set
 * applies), so that `status` can say when a pinned host's certificate expires.
 */
async function recordLastCheck(ws: Workspace, chain: LiveChain, pins: PinCheck): Promise<void> {
  const leaf = chain.certificates.find((c) => c.role === 'leaf') ?? chain.certificates[0];
  if (pins.patterns.length === 0 || !leaf) return;
  const patterns = new Set(pins.patterns);
  await ws.store.update((tx) => {
    const lastCheck: PinSetLastCheck = {
      at: tx.now.toISOString(),
      hostname: chain.checkedName,
      endpoint: endpointOf(chain),
      leafSubject: leaf.subject,
      leafNotAfter: leaf.validTo,
      pinMatched: pins.verdict === 'match',
    };
    for (const set of tx.data.pinSets) if (patterns.has(set.host)) set.lastCheck = lastCheck;
  });
}

export interface PinSetView extends PinSet {
  readonly expired: boolean;
}

export interface PinSetsOverview {
  readonly sets: ReadonlyArray<PinSetView>;
  readonly backupKeys: ReadonlyArray<BackupKey>;
}

export async function listPinSets(ws: Workspace): Promise<PinSetsOverview> {
  const { listBackupKeys } = await import('../pins/backup-key.js');
  const now = ws.now();
  const [sets, backupKeys] = await Promise.all([pinSets.listPinSets(ws), listBackupKeys(ws)]);
  return { sets: sets.map((s) => ({ ...s, expired: pinSets.isPinSetExpired(s, now) })), backupKeys };
}

export interface SavePinSetInput {
  readonly host: string;
  readonly pins: ReadonlyArray<string>;
  readonly backupPins: ReadonlyArray<string>;
  readonly expires?: string;
  readonly noBackup?: boolean;
  /** Read this endpoint's chain first: a backup pin it presents now is refused, and each active pin's role is recorded. */
  readonly checkLive?: TlsTarget;
}

export interface SavedPinSet {
  readonly set: PinSetView;
  readonly replaced: boolean;
}

/** `pins set HOST --pin ...`: the cheap checks first, then the live chain when asked, then the store. */
export async function savePinSet(ws: Workspace, input: SavePinSetInput): Promise<SavedPinSet> {
  const base = {
    host: input.host,
    pins: input.pins,
    backupPins: input.backupPins,
    ...(input.expires !== undefined ? { expires: input.expires } : {}),
    ...(input.noBackup ? { noBackup: true } : {}),
  };
  pinSets.validatePinSet(base, ws.now());
  const liveChain = input.checkLive ? (await computePinsOfHost(input.checkLive)).certificates : undefined;
  const { set, replaced } = await pinSets.setPinSet(ws, { ...base, ...(liveChain ? { liveChain } : {}) });
  return { set: { ...set, expired: pinSets.isPinSetExpired(set, ws.now()) }, replaced };
}

export interface PinLiveInput {
  readonly host: string;
  readonly from: TlsTarget;
  /** Which certificates of the chain to pin; the leaf by default. */
  readonly roles?: ReadonlyArray<CertificateRole>;
  readonly backupPins: ReadonlyArray<string>;
  readonly expires?: string;
  /** The user saw the chain and confirmed it; without it the chain comes back in a `LiveChainUnconfirmedError`. */
  readonly confirmed: boolean;
}

/** `pins set HOST --from-live HOST:PORT`: pins what the server presents now, after the user confirmed it. */
export async function pinLiveChain(ws: Workspace, input: PinLiveInput): Promise<SavedPinSet & { readonly chain: LiveChain }> {
  // The cheap things before connecting.
  parseHostPattern(input.host);
  input.backupPins.forEach(parsePin);
  if (input.expires !== undefined) pinSets.parseExpiry(input.expires);
  if (input.backupPins.length === 0) throw new BackupPinRequiredError(input.host, true);
  const chain = await computePinsOfHost(input.from);
  if (!input.confirmed) throw new LiveChainUnconfirmedError(endpointOf(input.from), chain.trusted, chain.trustError, chain.certificates);
  const { set, replaced } = await pinSets.setPinSetFromLive(ws, {
    host: input.host,
    chain: chain.certificates,
    ...(input.roles ? { roles: input.roles } : {}),
    backupPins: input.backupPins,
    ...(input.expires !== undefined ? { expires: input.expires } : {}),
    confirmed: true,
  });
  return { set: { ...set, expired: pinSets.isPinSetExpired(set, ws.now()) }, replaced, chain };
}

export interface PinSetExport {
  readonly host: string;
  readonly format: PinExportFormat;
  readonly text: string;
  /** The roles the format's client can pin. */
  readonly pinnableRoles: ReadonlyArray<CertificateRole>;
  /** Active pins of other roles, left out (e.g. CA pins for curl). */
  readonly excluded: ExportedPins['excluded'];
  /** Active pins exported whose role nobody recorded (set with --pin and no live chain): they work in curl only if they are the leaf's. */
  readonly unknownRoles: ReadonlyArray<string>;
}

/** `pins export HOST --format F`: refused (`PinExportRefusedError`) when the format's client could check none of the active pins. */
export async function exportPinSet(ws: Workspace, host: string, format: PinExportFormat): Promise<PinSetExport> {
  if (!(PIN_EXPORT_ROLES as Record<string, unknown>)[format]) throw new InvalidInputError(`export format ${JSON.stringify(format)} is unknown`);
  const set = await pinSets.getPinSet(ws, host);
  const { text, excluded } = exportPins(set, format, ws.now());
  const unknownRoles = set.pins.filter((p) => pinSets.roleOfPin(set, p) === null);
  return { host: set.host, format, text, pinnableRoles: PIN_EXPORT_ROLES[format], excluded, unknownRoles };
}
