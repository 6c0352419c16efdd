// Pin sets per host pattern. The classic failure of pinning is a set that bricks every client at
// the next certificate renewal, so a set needs a backup pin that is not in the live chain (a key
// kept in reserve), and an expiry date after which clients stop enforcing it.
import { InvalidInputError, RefusedError } from '../errors.js';
import type { DocumentData, PinSet } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { type CertificateRole, type ChainCertificate, type Pin, parsePin } from './pin.js';
import { BackupPinRequiredError, NoBackupToPromoteError, PinSetNotFoundError } from './errors.js';
import { hostMatches, parseHostPattern } from './host-pattern.js';
import { DAY_MS } from '../../common/time.js';

export type { PinSet } from '../store/document.js';

export const DEFAULT_PIN_SET_DAYS = 365;

/** Every set whose pattern matches the host; a client enforces the union of their pins. */
export function pinSetsFor(data: Readonly<DocumentData>, hostname: string): ReadonlyArray<PinSet> {
  return data.pinSets.filter((set) => hostMatches(set.host, hostname));
}

/** `YYYY-MM-DD`, a real calendar day. */
export function parseExpiry(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !date || date.toISOString().slice(0, 10) !== text.trim()) {
    throw new InvalidInputError(`expiry ${JSON.stringify(text)} must be a date written YYYY-MM-DD (e.g. 2027-06-30)`);
  }
  return text.trim();
}

export function isPinSetExpired(set: Readonly<PinSet>, now: Date): boolean {
  return set.expires !== null && now.toISOString().slice(0, 10) > set.expires;
}

/** The chain role of an active pin: as recorded when pinned; null when nobody knew. */
export function roleOfPin(set: Readonly<PinSet>, pin: Pin): CertificateRole | null {
  return set.roles?.[pin] ?? null;
}

export interface PinSetInput {
  readonly host: string;
  readonly pins: ReadonlyArray<string>;
  readonly backupPins?: ReadonlyArray<string>;
  /** YYYY-MM-DD; a year from now when not given. */
  readonly expires?: string;
  /** The user accepted a set without a backup pin. */
  readonly noBackup?: boolean;
  /** The chain the server presents now, when known: backup pins must not be in it, and it tells each active pin's role. */
  readonly liveChain?: ReadonlyArray<ChainCertificate>;
}

export interface PinSetChange {
  readonly set: PinSet;
  readonly replaced: boolean;
}

function unique(pins: ReadonlyArray<Pin>): Pin[] {
  return [...new Set(pins)];
}

/** Checks a set against the rules; returns it in canonical form. Changes nothing. */
export function validatePinSet(input: PinSetInput, now: Date): Omit<PinSet, 'createdAt' | 'updatedAt'> {
  const host = parseHostPattern(input.host);
  const pins = unique(input.pins.map(parsePin));
  if (pins.length === 0) throw new InvalidInputError(`a pin set for ${host} needs at least one active pin`);
  const backupPins = unique((input.backupPins ?? []).map(parsePin));
  const overlap = backupPins.filter((p) => pins.includes(p));
  if (overlap.length > 0) {
    throw new RefusedError(`backup pin ${overlap[0]} is also an active pin; a backup pin must belong to a key held in reserve, not in use`);
  }
  const livePins = new Set((input.liveChain ?? []).map((c) => c.pin));
  const live = backupPins.filter((p) => livePins.has(p));
  if (live.length > 0) {
    throw new RefusedError(`backup pin ${live[0]} is in the chain the server presents now; a backup pin must belong to a key that is not in use yet`);
  }
  if (backupPins.length === 0 && !input.noBackup) throw new BackupPinRequiredError(host, false);
  let expires: string;
  if (input.expires !== undefined) {
    expires = parseExpiry(input.expires);
    if (expires <= now.toISOString().slice(0, 10)) throw new InvalidInputError(`expiry ${expires} is not in the future`);
  } else {
    expires = new Date(now.getTime() + DEFAULT_PIN_SET_DAYS * DAY_MS).toISOString().slice(0, 10);
  }
  const known = (input.liveChain ?? []).filter((c) => pins.includes(c.pin));
  const roles = known.length > 0 ? Object.fromEntries(known.map((c) => [c.pin, c.role])) : undefined;
  return { host, pins, backupPins, expires, ...(roles ? { roles } : {}) };
}

/** Adds a pin set, or replaces the one for the same host pattern. */
export async function setPinSet(ws: Workspace, input: PinSetInput): Promise<PinSetChange> {
  const checked = validatePinSet(input, ws.now());
  return ws.store.update((tx) => {
    const at = tx.now.toISOString();
    const index = tx.data.pinSets.findIndex((s) => s.host === checked.host);
    const previous = index >= 0 ? tx.data.pinSets[index] : undefined;
    const set: PinSet = { ...checked, createdAt: previous?.createdAt ?? at, updatedAt: at };
    if (previous) tx.data.pinSets[index] = set;
    else tx.data.pinSets.push(set);
    tx.audit({
      action: previous ? 'pins.replaced' : 'pins.set',
      subject: set.host,
      details: { pins: set.pins.join(' '), backupPins: set.backupPins.join(' '), expires: set.expires, noBackup: set.backupPins.length === 0 },
    });
    return { set, replaced: previous !== undefined };
  });
}

export interface LivePinSetInput {
  readonly host: string;
  /** The chain the server presents now (from `fetchChain`). */
  readonly chain: ReadonlyArray<ChainCertificate>;
  /** Which certificates of the chain to pin; the leaf by default. */
  readonly roles?: ReadonlyArray<CertificateRole>;
  readonly backupPins: ReadonlyArray<string>;
  readonly expires?: string;
  /** The user saw the chain and confirmed that this connection is not intercepted. */
  readonly confirmed: boolean;
}

/**
 * "Pin what I see now": trusts the connection it was read from, so it needs an explicit
 * confirmation, and a backup pin (no `noBackup` escape here).
 */
export async function setPinSetFromLive(ws: Workspace, input: LivePinSetInput): Promise<PinSetChange> {
  const roles = input.roles && input.roles.length > 0 ? input.roles : ['leaf'];
  const pins = input.chain.filter((c) => roles.includes(c.role)).map((c) => c.pin);
  if (pins.length === 0) throw new InvalidInputError(`the live chain has no ${roles.join(' or ')} certificate to pin`);
  if (!input.confirmed) {
    throw new RefusedError('pinning what the server presents now trusts this very connection (a man in the middle would be pinned too); compare the chain shown with what the server admin expects, then confirm');
  }
  if (input.backupPins.length === 0) throw new BackupPinRequiredError(input.host, true);
  return setPinSet(ws, { host: input.host, pins, backupPins: input.backupPins, ...(input.expires !== undefined ? { expires: input.expires } : {}), liveChain: input.chain });
}

export async function listPinSets(ws: Workspace): Promise<ReadonlyArray<PinSet>> {
  return (await ws.store.read()).data.pinSets;
}

/** The set stored for exactly this host pattern. */
export async function getPinSet(ws: Workspace, host: string): Promise<PinSet> {
  const pattern = parseHostPattern(host);
  const set = (await ws.store.read()).data.pinSets.find((s) => s.host === pattern);
  if (!set) throw new PinSetNotFoundError(pattern);
  return set;
}

export async function removePinSet(ws: Workspace, host: string): Promise<PinSet> {
  const pattern = parseHostPattern(host);
  return ws.store.update((tx) => {
    const index = tx.data.pinSets.findIndex((s) => s.host === pattern);
    if (index < 0) throw new PinSetNotFoundError(pattern);
    const [removed] = tx.data.pinSets.splice(index, 1);
    tx.audit({ action: 'pins.removed', subject: pattern, details: { pins: removed!.pins.join(' '), backupPins: removed!.backupPins.join(' ') } });
    return removed!;
  });
}

/**
 * The server's key changed to the reserved one: the backup pins become the active pins and the
 * old active pins are dropped. A new backup pin is required, so the set never stands without one.
 */
export async function promoteBackupPin(ws: Workspace, host: string, newBackupPin: string): Promise<PinSet> {
  const pattern = parseHostPattern(host);
  const backup = parsePin(newBackupPin);
  return ws.store.update((tx) => {
    const index = tx.data.pinSets.findIndex((s) => s.host === pattern);
    if (index < 0) throw new PinSetNotFoundError(pattern);
    const current = tx.data.pinSets[index]!;
    if (current.backupPins.length === 0) throw new NoBackupToPromoteError(pattern);
    if (current.backupPins.includes(backup) || current.pins.includes(backup)) {
      throw new RefusedError(`the new backup pin ${backup} is already in the set for ${pattern}; a fresh backup key is needed`);
    }
    // Backup pins are leaf keys held in reserve: promoted, they are the leaf's pins.
    const roles = Object.fromEntries(current.backupPins.map((p) => [p, 'leaf' as const]));
    const set: PinSet = { ...current, pins: [...current.backupPins], backupPins: [backup], roles, updatedAt: tx.now.toISOString() };
    tx.data.pinSets[index] = set;
    tx.audit({ action: 'pins.backup-promoted', subject: pattern, details: { retired: current.pins.join(' '), pins: set.pins.join(' '), backupPins: backup } });
    return set;
  });
}
