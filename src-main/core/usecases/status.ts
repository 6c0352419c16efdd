// `status`: the overview a person opens first. One list of items, each with a kind, a severity,
// the subject (ids and names), the facts, and the next action as data (each face words it: a
// command line, a button). It reads; it never writes. Sources, each used as it is, not recomputed:
// - keys due: the rotation use case's due list (dueListOf, as dueRotations) over a 30-day window;
// - rotations under way: the stage and next steps of common/rotation.ts (the schedule's stage);
// - peers: verification state and the recorded last link test;
// - pin sets: expiry (pin-set.ts's isPinSetExpired) and backup pins;
// - provisioning batches with failed rows (the store's batches, when the store has them);
// - `doctor`'s checks (read-only: no repair).
// - certificates of pinned hosts: the leaf's notAfter that the last `pins check` recorded on the
//   pin set (`lastCheck`); a host never checked says nothing.
import { DAY_MS } from '../../common/time.js';
import { nextSteps, type RotationNextStep, type RotationStage } from '../../common/rotation.js';
import type { DocumentData, PinSetLastCheck } from '../store/document.js';
import type { Workspace } from '../workspace.js';
import type { Finding } from './doctor.js';
import type { DueList } from './rotation.js';
import { isPinSetExpired } from '../pins/pin-set.js';

import { STATUS_FACT_KEYS, STATUS_WINDOW_DAYS, type StatusKind, type StatusFactKey, type StatusSeverity, type StatusSubjectKey } from '../../common/status.js';

export { STATUS_KINDS, STATUS_SEVERITIES, STATUS_WINDOW_DAYS, type StatusKind, type StatusSeverity } from '../../common/status.js';

/** The next action as data; the CLI words it as a command line, the app as a button. */
export type StatusNext =
  | { readonly action: 'rotate'; readonly identity: string }
  | { readonly action: 'rotation-step'; readonly identity: string; readonly step: RotationNextStep['action']; readonly after?: string }
  | { readonly action: 'verify-peer'; readonly peer: string }
  | { readonly action: 'test-peer'; readonly peer: string }
  | { readonly action: 'renew-pin-set'; readonly host: string }
  | { readonly action: 'add-backup-pin'; readonly host: string }
  | { readonly action: 'check-pins'; readonly host: string; readonly endpoint: string }
  | { readonly action: 'retry-batch'; readonly batch: string }
  | { readonly action: 'repair-store' }
  | { readonly action: 'see-doctor' };

type Fact = string | number | boolean | null;

export interface StatusItem {
  readonly kind: StatusKind;
  readonly severity: StatusSeverity;
  /** Who the item is about: ids and names (an identity, a peer, a host, a batch). */
  readonly subject: Readonly<Partial<Record<StatusSubjectKey, string>>>;
  /** `secrets` (doctor) is a count, `sealedRevision` a revision number. */
  readonly facts: Readonly<Partial<Record<Exclude<StatusFactKey, 'secrets' | 'sealedRevision'>, Fact>> & { secrets?: number; sealedRevision?: number | null }>;
  readonly next: StatusNext | null;
}

export interface StatusCounts {
  readonly keys: number;
  readonly peers: number;
  readonly devices: number;
  readonly batches: number;
  readonly pinSets: number;
}

export interface StatusReport {
  readonly now: string;
  /** Errors first, then warnings, then info; in each, the order of the sources above. */
  readonly items: ReadonlyArray<StatusItem>;
  readonly counts: StatusCounts;
  /** How many items there are of each severity. */
  readonly summary: Readonly<Record<StatusSeverity, number>>;
  /** False when the store could not be read (doctor's items say why); only doctor's items then. */
  readonly storeRead: boolean;
}

const STORE_UNREADABLE = new Set(['store-tampered', 'store-rolled-back', 'store-missing', 'store-corrupt', 'store-unreadable', 'journal-pending']);

const FACT_KEYS: ReadonlySet<string> = new Set(STATUS_FACT_KEYS);

function doctorItem(f: Finding): StatusItem {
  // Only the facts the overview names (the app's result is a closed shape); doctor --json has them all.
  const fields = Object.fromEntries(Object.entries(f.fields).filter(([k]) => FACT_KEYS.has(k))) as StatusItem['facts'];
  return {
    kind: 'doctor',
    severity: f.severity,
    subject: { code: f.code },
    facts: { ...fields, repairable: f.repairable },
    next: f.repairable ? { action: 'repair-store' } : { action: 'see-doctor' },
  };
}

function keyItems(due: Readonly<DueList>): StatusItem[] {
  return due.items.map((i) => ({
    kind: i.overdue ? ('key-overdue' as const) : ('key-due' as const),
    severity: i.overdue ? ('error' as const) : ('warning' as const),
    subject: { id: i.id, name: i.name, role: i.role },
    facts: { dueAt: i.dueAt, daysLeft: i.daysLeft, ageDays: i.ageDays, rotateEveryDays: i.rotateEveryDays, generation: i.generation, stage: i.stage },
    next: i.stage === 'idle' ? { action: 'rotate', identity: i.name } : rotationNext(i.name, i.stage, i.graceUntil),
  }));
}

function rotationNext(identity: string, stage: RotationStage, graceUntil: string | null): StatusNext | null {
  const first = nextSteps(identity, stage, graceUntil ? [{ state: 'previous', graceUntil }] : [])[0];
  if (!first) return null;
  return { action: 'rotation-step', identity, step: first.action, ...(first.after ? { after: first.after } : {}) };
}

function peerItems(data: Readonly<DocumentData>): StatusItem[] {
  const items: StatusItem[] = [];
  for (const p of data.peers) {
    const subject = { id: p.id, name: p.name };
    if (p.verification.state === 'mismatch') {
      items.push({ kind: 'peer-mismatch', severity: 'error', subject, facts: { at: p.verification.at ?? null }, next: { action: 'verify-peer', peer: p.name } });
    } else if (p.verification.state === 'unverified') {
      items.push({ kind: 'peer-unverified', severity: 'warning', subject, facts: { createdAt: p.createdAt, allowed: p.allowed }, next: { action: 'verify-peer', peer: p.name } });
    }
    const verdict = p.link?.lastVerdict;
    if (verdict !== undefined && verdict !== 'ok') {
      items.push({
        kind: 'peer-test-failed',
        severity: 'warning',
        subject,
        facts: { verdict, at: p.link?.lastAt ?? null, endpoint: p.link?.lastEndpoint ?? null, lastSuccessAt: p.link?.lastSuccessAt ?? null },
        next: { action: 'test-peer', peer: p.name },
      });
    }
  }
  return items;
}

function pinItems(data: Readonly<DocumentData>, now: Date): StatusItem[] {
  const items: StatusItem[] = [];
  const horizon = new Date(now.getTime() + STATUS_WINDOW_DAYS * DAY_MS).toISOString().slice(0, 10);
  for (const s of data.pinSets) {
    const subject = { host: s.host };
    if (isPinSetExpired(s, now)) {
      items.push({ kind: 'pin-set-expired', severity: 'error', subject, facts: { expires: s.expires, pins: s.pins.length }, next: { action: 'renew-pin-set', host: s.host } });
    } else if (s.expires !== null && s.expires <= horizon) {
      const daysLeft = Math.floor((Date.parse(`${s.expires}T23:59:59.999Z`) - now.getTime()) / DAY_MS);
      items.push({ kind: 'pin-set-expiring', severity: 'warning', subject, facts: { expires: s.expires, daysLeft, pins: s.pins.length }, next: { action: 'renew-pin-set', host: s.host } });
    }
    if (s.backupPins.length === 0) {
      items.push({ kind: 'pin-set-no-backup', severity: 'warning', subject, facts: { pins: s.pins.length }, next: { action: 'add-backup-pin', host: s.host } });
    }
  }
  return items;
}

function pinnedCertItems(data: Readonly<DocumentData>, now: Date): StatusItem[] {
  // One item per host checked (two sets that apply to one host carry the same check): the latest.
  const latest = new Map<string, { pattern: string; check: PinSetLastCheck }>();
  for (const s of data.pinSets) {
    const c = s.lastCheck;
    if (!c) continue;
    const seen = latest.get(c.hostname);
    if (!seen || c.at > seen.check.at) latest.set(c.hostname, { pattern: s.host, check: c });
  }
  const items: StatusItem[] = [];
  for (const [hostname, { pattern, check }] of latest) {
    const notAfter = Date.parse(check.leafNotAfter);
    const expired = notAfter <= now.getTime();
    if (!expired && notAfter > now.getTime() + STATUS_WINDOW_DAYS * DAY_MS) continue;
    items.push({
      kind: expired ? 'pinned-cert-expired' : 'pinned-cert-expiring',
      severity: expired ? 'error' : 'warning',
      subject: { host: hostname, pinSet: pattern },
      facts: { notAfter: check.leafNotAfter, daysLeft: Math.floor((notAfter - now.getTime()) / DAY_MS), leafSubject: check.leafSubject, pinMatched: check.pinMatched, endpoint: check.endpoint, at: check.at },
      next: { action: 'check-pins', host: hostname, endpoint: check.endpoint },
    });
  }
  return items;
}

function serverName(data: Readonly<DocumentData>, id: string): string | undefined {
  return data.identities.find((i) => i.id === id)?.name;
}

function batchItems(data: Readonly<DocumentData>): StatusItem[] {
  const items: StatusItem[] = [];
  for (const b of data.batches) {
    const failed = Math.max(b.counts.failed, b.failed.length);
    if (failed === 0) continue;
    items.push({
      kind: 'batch-failed-rows',
      severity: 'warning',
      subject: { id: b.id, csvName: b.csvName, server: b.server, ...(serverName(data, b.server) ? { serverName: serverName(data, b.server)! } : {}) },
      facts: { failed, rows: b.counts.rows, ok: b.counts.ok, skipped: b.counts.skipped, createdAt: b.createdAt, outDir: b.outDir, firstFailedRow: b.failed[0]?.row ?? null, firstReason: b.failed[0]?.reason ?? null },
      next: { action: 'retry-batch', batch: b.id },
    });
  }
  return items;
}

const RANK: Readonly<Record<StatusSeverity, number>> = { error: 0, warning: 1, info: 2 };

/** The overview; read-only. Throws only what doctor throws (keychain locked or missing). */
export async function statusOverview(ws: Workspace): Promise<StatusReport> {
  const [{ doctorCheck }, { dueListOf }, { scheduleOf }] = await Promise.all([import('./doctor.js'), import('./rotation.js'), import('../rotation/schedule.js')]);
  const now = ws.now();
  // One read of the store: doctor's (a journal left pending is reported by doctor, not finished here).
  const doctor = await doctorCheck(ws);
  // Lists joined by concat or one push at a time, never push(...list): a fleet has more items of
  // one kind than a call takes arguments.
  let items: StatusItem[] = [];
  let counts: StatusCounts = { keys: 0, peers: 0, devices: 0, batches: 0, pinSets: 0 };
  const data = doctor.findings.some((f) => STORE_UNREADABLE.has(f.code)) ? null : doctor.data;
  const storeRead = data !== null;
  if (data) {
    const schedule = scheduleOf(data.identities, now);
    items = keyItems(dueListOf(schedule, now, { at: new Date(now.getTime() + STATUS_WINDOW_DAYS * DAY_MS) }));
    for (const s of schedule) {
      if (s.stage === 'idle') continue;
      items.push({
        kind: 'rotation-in-progress',
        severity: s.stage === 'grace-over' ? 'warning' : 'info',
        subject: { id: s.id, name: s.name, role: s.role },
        facts: { stage: s.stage, generation: s.generation, graceUntil: s.graceUntil },
        next: rotationNext(s.name, s.stage, s.graceUntil),
      });
    }
    items = items.concat(peerItems(data), pinItems(data, now), pinnedCertItems(data, now), batchItems(data));
    counts = { keys: data.identities.length, peers: data.peers.length, devices: data.devices.filter((d) => d.state === 'active').length, batches: data.batches.length, pinSets: data.pinSets.length };
  }
  items = items.concat(doctor.findings.map(doctorItem));
  const sorted = items.map((item, i) => ({ item, i })).sort((a, b) => RANK[a.item.severity] - RANK[b.item.severity] || a.i - b.i).map((x) => x.item);
  const summary = { error: 0, warning: 0, info: 0 };
  for (const item of sorted) summary[item.severity] += 1;
  return { now: now.toISOString(), items: sorted, counts, summary, storeRead };
}

/** What the app asks of the report: only some kinds, and at most so many items of each. */
export interface StatusWindowOptions {
  readonly kinds?: ReadonlyArray<StatusKind>;
  readonly perKind?: number;
}

/**
 * The report as the app shows it: the items of the asked kinds, at most `perKind` of each (in the
 * report's order), and how many there are of each kind in all. With 10,000 unverified peers the
 * whole report was 4.8 MB, sent to a page that shows a few of each kind.
 */
export function statusWindow(report: StatusReport, options: StatusWindowOptions = {}): StatusReport & { readonly byKind: Readonly<Partial<Record<StatusKind, number>>> } {
  const wanted = options.kinds ? new Set(options.kinds) : null;
  const limit = options.perKind ?? Number.POSITIVE_INFINITY;
  const byKind: Partial<Record<StatusKind, number>> = {};
  const items: StatusItem[] = [];
  for (const item of report.items) {
    if (wanted && !wanted.has(item.kind)) continue;
    const seen = (byKind[item.kind] ?? 0) + 1;
    byKind[item.kind] = seen;
    if (seen <= limit) items.push(item);
  }
  return { ...report, items, byKind };
}
