// `doctor`: checks what a crash, a full disk or an outside hand can leave behind — the seal, the
// sealed revision, the audit chain, the lock, an unfinished write (the journal), and the keychain
// against the store (items that belong to nothing, identities whose secret is missing) — and with
// `repair` fixes what is safe: orphan keychain items, a stale lock, an unfinished write. Repairs
// are logged in the audit log. Findings are data (a code, a severity, fields, repairable); each
// face words them.
import { isCurvekeepError } from '../errors.js';
import { STATE_SEAL_PREFIX, ownedAccounts } from '../store/accounts.js';
import type { DocumentData } from '../store/document.js';
import { basename, dirname, join } from 'node:path';
import { unlink } from 'node:fs/promises';
import { inspectLock, leftoverLockFiles, removeStaleLock } from '../store/file-lock.js';
import { type Workspace, localStoreOf } from '../workspace.js';
import { WORKSPACE_ACCOUNT_PREFIX } from '../team/audit-signing.js';

export type FindingCode =
  | 'journal-pending'
  | 'lock-stale'
  | 'lock-leftover'
  | 'store-tampered'
  | 'store-rolled-back'
  | 'store-missing'
  | 'store-corrupt'
  | 'store-unreadable'
  | 'audit-broken'
  | 'audit-key-missing'
  | 'orphan-secret'
  | 'secret-missing';

export interface Finding {
  readonly code: FindingCode;
  /** `error`: something is wrong or lost; `warning`: left over, harmless until repaired. */
  readonly severity: 'error' | 'warning';
  readonly repairable: boolean;
  readonly fields: Readonly<Record<string, string | number | boolean | null>>;
}

export interface DoctorReport {
  /** True when nothing needs attention (after the repairs, when asked for). */
  readonly ok: boolean;
  /** What was found before any repair. */
  readonly findings: ReadonlyArray<Finding>;
  /** The findings repaired (empty without `repair`). */
  readonly repaired: ReadonlyArray<Finding>;
  /** What still needs attention. */
  readonly remaining: ReadonlyArray<Finding>;
  /** Whether the repairs were recorded in the audit log (false when the store cannot be written). */
  readonly logged: boolean;
}

function kindOf(account: string): string {
  const prefix = account.split(':')[0] ?? '';
  return ['identity', 'pin-backup', 'seal', 'probe'].includes(prefix) ? prefix : 'other';
}

/** The identity and pin-backup items the document owns that are not in the keychain. */
function missingSecrets(data: Readonly<DocumentData>, accounts: ReadonlySet<string>): Finding[] {
  const found: Finding[] = [];
  for (const identity of data.identities) {
    for (const g of identity.generations) {
      if (!['pending', 'current', 'previous'].includes(g.state)) continue;
      const account = `identity:${identity.id}:${g.generation}`;
      if (!accounts.has(account)) {
        found.push({ code: 'secret-missing', severity: 'error', repairable: false, fields: { kind: 'identity', account, id: identity.id, name: identity.name, role: identity.role, generation: g.generation } });
      }
    }
  }
  for (const key of data.backupKeys) {
    const account = `pin-backup:${key.host}:${key.id}`;
    if (!accounts.has(account)) found.push({ code: 'secret-missing', severity: 'error', repairable: false, fields: { kind: 'pin-backup', account, id: key.id, host: key.host } });
  }
  return found;
}

/**
 * Items no part of this document owns. The sealed state of another data folder is not one: it
 * shows that several folders share this keychain service, and then an item this document does not
 * know may belong to another folder, so none is removed (repairable: false).
 */
function orphans(ws: Workspace, data: Readonly<DocumentData>, accounts: ReadonlyArray<string>): Finding[] {
  const owned = ownedAccounts(data, ws.home);
  const shared = accounts.some((a) => a.startsWith(STATE_SEAL_PREFIX) && !owned.has(a));
  return accounts
    .filter((a) => !owned.has(a) && !a.startsWith(STATE_SEAL_PREFIX) && !a.startsWith(WORKSPACE_ACCOUNT_PREFIX))
    .sort()
    .map((account) => ({
      code: 'orphan-secret' as const,
      severity: 'warning' as const,
      repairable: !shared,
      fields: { account, kind: kindOf(account), sharedService: shared },
    }));
}

async function check(ws: Workspace): Promise<{ findings: Finding[]; data: Readonly<DocumentData> | null }> {
  const findings: Finding[] = [];
  // A team workspace: the database keeps the data (no seal, journal or lock here); status reads it.
  // The keychain is not listed: nothing here is checked against it, and `status --watch` would
  // enumerate it (and write its lock probe) at every colleague's change, beside their own writes.
  if (ws.store.kind !== 'local') return { findings, data: (await ws.store.read()).data };
  // The keychain first: locked or unavailable is an environment problem, thrown as such.
  const accounts = await ws.secrets.accounts();
  const store = localStoreOf(ws, 'doctor');
  // Before anything reads the store (a read completes or undoes an unfinished write by itself).
  const journal = await store.pendingJournal();
  if (journal) findings.push({ code: 'journal-pending', severity: 'warning', repairable: true, fields: { committed: journal.committed, secrets: journal.secrets } });
  const lock = await inspectLock(store.lockFile);
  if (lock.present && lock.stale) findings.push({ code: 'lock-stale', severity: 'warning', repairable: true, fields: { reason: lock.stale } });
  for (const file of await leftoverLockFiles(store.lockFile)) {
    findings.push({ code: 'lock-leftover', severity: 'warning', repairable: true, fields: { file: basename(file) } });
  }
  if (journal) {
    // Reading now would finish the journal by itself: the rest is checked after the repair.
    return { findings, data: null };
  }
  let data: Readonly<DocumentData> | null = null;
  try {
    data = (await ws.store.read()).data;
  } catch (error) {
    if (!isCurvekeepError(error)) throw error;
    const known = ['store-tampered', 'store-rolled-back', 'store-missing', 'store-corrupt'] as const;
    const code = (known as ReadonlyArray<string>).includes(error.code) ? (error.code as FindingCode) : null;
    if (!code) throw error; // keychain locked or unavailable, data folder unreadable: environment
    const fields = 'fields' in error && error.fields && typeof error.fields === 'object' ? (error.fields as Record<string, string | number | null>) : {};
    findings.push({ code, severity: 'error', repairable: false, fields: { ...fields, file: store.file } });
  }
  if (data) {
    const verdict = await ws.store.verifyAudit(data);
    if (!verdict.ok) {
      const keyMissing = !accounts.includes('seal:audit');
      findings.push(
        keyMissing
          ? { code: 'audit-key-missing', severity: 'error', repairable: false, fields: { entries: verdict.entries } }
          : { code: 'audit-broken', severity: 'error', repairable: false, fields: { entries: verdict.entries, position: verdict.broken?.position ?? null, seq: verdict.broken?.seq ?? null, reason: verdict.broken?.reason ?? null } },
      );
    }
    for (const finding of orphans(ws, data, accounts)) findings.push(finding);
    for (const finding of missingSecrets(data, new Set(accounts))) findings.push(finding);
  }
  return { findings, data };
}

const key = (f: Finding) => `${f.code}\u0000${JSON.stringify(f.fields)}`;

export async function runDoctor(ws: Workspace, options: { readonly repair?: boolean } = {}): Promise<DoctorReport> {
  const first = await check(ws);
  // A repair is for the local data folder only: refused for a team workspace before anything else.
  const store = options.repair ? localStoreOf(ws, 'doctor --repair') : null;
  if (!store || !first.findings.some((f) => f.repairable)) {
    return { ok: first.findings.length === 0, findings: first.findings, repaired: [], remaining: first.findings, logged: false };
  }
  const repaired: Finding[] = [];
  const lockFinding = first.findings.find((f) => f.code === 'lock-stale');
  if (lockFinding && (await removeStaleLock(store.lockFile))) repaired.push(lockFinding);
  for (const f of first.findings.filter((x) => x.code === 'lock-leftover')) {
    // Checked again: only files whose owner is still gone.
    const still = (await leftoverLockFiles(store.lockFile)).map((file) => basename(file));
    if (still.includes(String(f.fields.file))) {
      await unlink(join(dirname(store.lockFile), String(f.fields.file))).catch(() => undefined);
      repaired.push(f);
    }
  }
  const journalFinding = first.findings.find((f) => f.code === 'journal-pending');
  if (journalFinding) {
    const done = await store.recover();
    if (done !== 'none') repaired.push({ ...journalFinding, fields: { ...journalFinding.fields, outcome: done } });
  }
  // Orphans are checked again under the store's lock, against the document as it is then.
  let logged = false;
  try {
    await ws.store.update(async (tx) => {
      const now = orphans(ws, tx.data, await ws.secrets.accounts());
      for (const orphan of now.filter((o) => o.repairable)) {
        await ws.secrets.delete(String(orphan.fields.account));
        repaired.push(orphan);
      }
      for (const r of repaired) tx.audit({ action: 'doctor.repaired', subject: r.code, details: { ...r.fields } });
    });
    logged = true;
  } catch (error) {
    // The store cannot be written (tampered, rolled back, missing): orphans need its contents.
    if (!isCurvekeepError(error)) throw error;
  }
  const after = await check(ws);
  return {
    ok: after.findings.length === 0,
    findings: first.findings,
    repaired: repaired.filter((r, i, all) => all.findIndex((x) => key(x) === key(r)) === i),
    remaining: after.findings,
    logged,
  };
}

/** The checks without repair, with the document they read (null when it could not be read): status shares that read. */
export async function doctorCheck(ws: Workspace): Promise<{ readonly findings: ReadonlyArray<Finding>; readonly data: Readonly<DocumentData> | null }> {
  return check(ws);
}
