// Pin sets per host. The classic failure of pinning is a set that bricks every client at the next
// certificate renewal, so a set needs a backup pin that is not in the live chain (a key kept in
// reserve), and an expiry date after which clients stop enforcing it.
import { isIP } from 'node:net';
import { InvalidInputError, NotFoundError, RefusedError } from '../errors.js';
import type { DocumentData, PinSet } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import { type CertificateRole, type ChainCertificate, type Pin, parsePin } from './pin.js';
import { DAY_MS } from '../../common/time.js';

export type { PinSet } from '../store/document.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
export const DEFAULT_PIN_SET_DAYS = 365;

/**
 * A host pattern as OkHttp writes them: an exact host (or IP address), `*.example.com` (exactly
 * one label more) or `**.example.com` (example.com itself and any depth below it).
 */
export function parseHostPattern(text: string): string {
  const host = text.trim().toLowerCase().replace(/\.$/, '');
  const bad = (why: string) => new InvalidInputError(`host ${JSON.stringify(text)} ${why}`);
  if (host.length === 0) throw bad('is empty');
  if (isIP(host)) return host;
  const wildcard = host.startsWith('**.') ? '**.' : host.startsWith('*.') ? '*.' : '';
  const rest = host.slice(wildcard.length);
  if (rest.includes('*')) throw bad("may only start with '*.' or '**.' (OkHttp's wildcards); a '*' elsewhere is not allowed");
  const labels = rest.split('.');
  if (labels.some((l) => !LABEL.test(l))) throw bad('is not a valid host name (letters, digits and hyphens, separated by dots)');
  if (wildcard && labels.length < 2) throw bad(`is too broad: a wildcard needs a domain of at least two labels (e.g. ${wildcard}example.com)`);
  return wildcard + rest;
}

/** OkHttp's matching: `*.` exactly one more label, `**.` zero or more. */
export function hostMatches(pattern: string, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (pattern.startsWith('**.')) {
    const suffix = pattern.slice(3);
    return host === suffix || host.endsWith(`.${suffix}`);
  }
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(2);
    if (!host.endsWith(`.${suffix}`)) return false;
    const first = host.slice(0, host.length - suffix.length - 1);
    return first.length > 0 && !first.includes('.');
  }
  return host === pattern;
}

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

export interface PinSetInput {
  readonly host: string;
  readonly pins: ReadonlyArray<string>;
  readonly backupPins?: ReadonlyArray<string>;
  /** YYYY-MM-DD; a year from now when not given. */
  readonly expires?: string;
  /** The user accepted a set without a backup pin. */
  readonly noBackup?: boolean;
  /** The chain the server presents now, when known: backup pins must not be in it. */
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
  if (pins.length === 0) throw new InvalidInputError(`a pin set for ${host} needs at least one pin (--pin sha256/...)`);
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
  if (backupPins.length === 0 && !input.noBackup) {
    throw new RefusedError(
      `a pin set for ${host} without a backup pin bricks every client at the next key change; ` +
        `make a backup key with \`curvekeep pins backup-key ${host}\` and pass its pin with --backup-pin, or pass --no-backup if you accept the risk`,
    );
  }
  let expires: string;
  if (input.expires !== undefined) {
    expires = parseExpiry(input.expires);
    if (expires <= now.toISOString().slice(0, 10)) throw new InvalidInputError(`expiry ${expires} is not in the future`);
  } else {
    expires = new Date(now.getTime() + DEFAULT_PIN_SET_DAYS * DAY_MS).toISOString().slice(0, 10);
  }
  return { host, pins, backupPins, expires };
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
    throw new RefusedError(
      'pinning what the server presents now trusts this very connection (a man in the middle would be pinned too); ' +
        'compare the chain shown with what the server admin expects, then confirm (--yes)',
    );
  }
  if (input.backupPins.length === 0) {
    throw new RefusedError(`pinning the live chain needs a backup pin too: make one with \`curvekeep pins backup-key ${input.host}\` and pass it with --backup-pin`);
  }
  return setPinSet(ws, { host: input.host, pins, backupPins: input.backupPins, ...(input.expires !== undefined ? { expires: input.expires } : {}), liveChain: input.chain });
}

export async function listPinSets(ws: Workspace): Promise<ReadonlyArray<PinSet>> {
  return (await ws.store.read()).data.pinSets;
}

/** The set stored for exactly this host pattern. */
export async function getPinSet(ws: Workspace, host: string): Promise<PinSet> {
  const pattern = parseHostPattern(host);
  const set = (await ws.store.read()).data.pinSets.find((s) => s.host === pattern);
  if (!set) throw new NotFoundError(`no pin set for ${pattern}; \`curvekeep pins list\` shows the hosts that have one`);
  return set;
}

export async function removePinSet(ws: Workspace, host: string): Promise<PinSet> {
  const pattern = parseHostPattern(host);
  return ws.store.update((tx) => {
    const index = tx.data.pinSets.findIndex((s) => s.host === pattern);
    if (index < 0) throw new NotFoundError(`no pin set for ${pattern}; \`curvekeep pins list\` shows the hosts that have one`);
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
    if (index < 0) throw new NotFoundError(`no pin set for ${pattern}`);
    const current = tx.data.pinSets[index]!;
    if (current.backupPins.length === 0) throw new RefusedError(`the pin set for ${pattern} has no backup pin to promote; set new pins with \`curvekeep pins set\``);
    if (current.backupPins.includes(backup) || current.pins.includes(backup)) {
      throw new RefusedError(`the new backup pin ${backup} is already in the set for ${pattern}; a fresh backup key is needed`);
    }
    const set: PinSet = { ...current, pins: [...current.backupPins], backupPins: [backup], updatedAt: tx.now.toISOString() };
    tx.data.pinSets[index] = set;
    tx.audit({ action: 'pins.backup-promoted', subject: pattern, details: { retired: current.pins.join(' '), pins: set.pins.join(' '), backupPins: backup } });
    return set;
  });
}

export type PinVerdict = 'match' | 'mismatch' | 'no-pin-set';

export interface PinCheck {
  readonly verdict: PinVerdict;
  readonly hostname: string;
  /** The patterns of the sets that applied. */
  readonly patterns: ReadonlyArray<string>;
  /** The chain certificate whose pin matched. */
  readonly matched: ChainCertificate | null;
  readonly pinned: ReadonlyArray<Pin>;
  readonly chain: ReadonlyArray<Pick<ChainCertificate, 'role' | 'subject' | 'pin'>>;
  /** Sets past their expiry date (Android stops enforcing them). */
  readonly expiredSets: ReadonlyArray<string>;
  /** For a mismatch: the chain's pins beside the pinned ones, as OkHttp reports it. */
  readonly message: string;
}

/** Any certificate of the chain (leaf, intermediate or root) matching any pin of the sets passes. */
export function checkPins(chain: ReadonlyArray<ChainCertificate>, hostname: string, sets: ReadonlyArray<PinSet>, now = new Date()): PinCheck {
  const pinned = unique(sets.flatMap((s) => [...s.pins, ...s.backupPins]));
  const patterns = sets.map((s) => s.host);
  const expiredSets = sets.filter((s) => isPinSetExpired(s, now)).map((s) => s.host);
  const summary = chain.map(({ role, subject, pin }) => ({ role, subject, pin }));
  const base = { hostname, patterns, pinned, chain: summary, expiredSets };
  if (sets.length === 0) return { ...base, verdict: 'no-pin-set', matched: null, message: `no pin set applies to ${hostname}` };
  const matched = chain.find((c) => pinned.includes(c.pin)) ?? null;
  if (matched) return { ...base, verdict: 'match', matched, message: `pin matched on the ${matched.role} certificate (${matched.subject}): ${matched.pin}` };
  const message = [
    'Certificate pinning failure!',
    '  Peer certificate chain:',
    ...chain.map((c) => `    ${c.pin}: ${c.subject} (${c.role})`),
    `  Pinned certificates for ${hostname}:`,
    ...pinned.map((p) => `    ${p}`),
  ].join('\n');
  return { ...base, verdict: 'mismatch', matched: null, message };
}
