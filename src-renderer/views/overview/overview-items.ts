// The Overview's words: each status item (status.get) as a title, a line of facts and its next
// action as a button that opens the right view at the right place. Pure functions, tested without
// the DOM (test/unit/renderer/overview-items.test.ts).
import type { ResultOf } from '../../../src-main/ipc/contract.js';

export type StatusReport = ResultOf<'status.get'>;
export type StatusItem = StatusReport['items'][number];
export type StatusNext = NonNullable<StatusItem['next']>;

/** Where a button goes: a view and the place inside it (lib/navigate.ts). */
export interface Destination {
  readonly label: string;
  readonly view: string;
  readonly path: ReadonlyArray<string>;
}

const STEP_LABEL: Readonly<Record<string, string>> = {
  stage: 'Stage a new key',
  distribute: 'Hand out the new key',
  test: 'Test the new key',
  promote: 'Promote the new key',
  finish: 'Finish the rotation',
  rollback: 'Roll back',
  revoke: 'Revoke',
};

/** The subject's id when the item has one (views open by id), else the name the action names. */
function idOr(item: StatusItem, fallback: string): string {
  return item.subject.id ?? fallback;
}

export function destinationOf(item: StatusItem): Destination | null {
  const next = item.next;
  if (!next) return null;
  switch (next.action) {
    case 'rotate':
      return { label: `Rotate ${item.subject.name ?? next.identity}`, view: 'rotation', path: [idOr(item, next.identity)] };
    case 'rotation-step':
      return { label: `${STEP_LABEL[next.step] ?? 'Continue the rotation'} of ${item.subject.name ?? next.identity}`, view: 'rotation', path: [idOr(item, next.identity)] };
    case 'verify-peer':
      return { label: `Verify ${item.subject.name ?? next.peer}`, view: 'peers', path: [idOr(item, next.peer)] };
    case 'test-peer':
      return { label: `Test ${item.subject.name ?? next.peer}`, view: 'peers', path: [idOr(item, next.peer), 'test'] };
    case 'renew-pin-set':
      return { label: `Renew the pins of ${next.host}`, view: 'pins', path: [next.host] };
    case 'add-backup-pin':
      return { label: `Add a backup pin for ${next.host}`, view: 'pins', path: [next.host] };
    case 'check-pins':
      return { label: `Check ${next.host}`, view: 'pins', path: [next.host] };
    case 'retry-batch':
      return { label: 'Retry the failed rows', view: 'devices', path: ['batch', next.batch] };
    case 'repair-store':
      return { label: 'Repair in Settings', view: 'settings', path: [] };
    case 'see-doctor':
      return { label: 'See the details in Settings', view: 'settings', path: [] };
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function days(n: unknown): string {
  if (typeof n !== 'number') return '';
  if (n < 0) return `${plural(-n, 'day')} overdue`;
  if (n === 0) return 'due today';
  return `due in ${plural(n, 'day')}`;
}

const date = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 10) : '');

/** The item's title: what needs attention, in words. */
export function titleOf(item: StatusItem): string {
  const s = item.subject;
  const f = item.facts;
  switch (item.kind) {
    case 'key-overdue':
      return `${s.name} is overdue for rotation`;
    case 'key-due':
      return `${s.name} is due for rotation`;
    case 'rotation-in-progress':
      return `Rotation of ${s.name} is under way`;
    case 'peer-unverified':
      return `${s.name} is not verified yet`;
    case 'peer-mismatch':
      return `${s.name}'s safety code did not match`;
    case 'peer-test-failed':
      return `The last link test of ${s.name} failed`;
    case 'pin-set-expired':
      return `The pins of ${s.host} have expired`;
    case 'pin-set-expiring':
      return `The pins of ${s.host} expire soon`;
    case 'pin-set-no-backup':
      return `${s.host} has no backup pin`;
    case 'pinned-cert-expiring':
      return `The certificate of ${s.host} expires soon`;
    case 'pinned-cert-expired':
      return `The certificate of ${s.host} has expired`;
    case 'batch-failed-rows':
      return `${plural(Number(f.failed ?? 0), 'row')} of ${s.csvName || 'a batch'} failed`;
    case 'doctor':
      return f.repairable ? 'The data folder needs a repair' : 'The data folder has a problem';
  }
}

/** One line of facts under the title. */
export function detailOf(item: StatusItem): string {
  const f = item.facts;
  switch (item.kind) {
    case 'key-overdue':
    case 'key-due':
      return `${item.subject.role ?? ''} key, ${days(f.daysLeft)} (${date(f.dueAt)})`.trim();
    case 'rotation-in-progress':
      return `Stage: ${String(f.stage ?? '').replace(/-/g, ' ')}${f.graceUntil ? `, grace until ${date(f.graceUntil)}` : ''}`;
    case 'peer-unverified':
      return `Added ${date(f.createdAt)}; compare its safety code with its owner.`;
    case 'peer-mismatch':
      return 'The code read out did not match the key held: it may not be the peer you think.';
    case 'peer-test-failed':
      return `Verdict: ${String(f.verdict ?? '').replace(/-/g, ' ')}${f.endpoint ? ` at ${String(f.endpoint)}` : ''}${f.at ? ` on ${date(f.at)}` : ''}`;
    case 'pin-set-expired':
    case 'pin-set-expiring':
      return `Expires ${String(f.expires ?? '')}`;
    case 'pin-set-no-backup':
      return 'Without a backup pin, a new server key locks every client out.';
    case 'pinned-cert-expiring':
    case 'pinned-cert-expired':
      return `Valid until ${date(f.notAfter)}`;
    case 'batch-failed-rows':
      return `${f.ok ?? 0} ok, ${f.skipped ?? 0} skipped, ${f.failed ?? 0} failed for ${item.subject.serverName ?? 'the server'}${f.firstReason ? `; first: line ${String(f.firstFailedRow)}, ${String(f.firstReason)}` : ''}`;
    case 'doctor':
      return f.repairable ? 'Curvekeep can repair this safely.' : 'Curvekeep cannot repair this by itself.';
  }
}

export const SEVERITY_HEADINGS: ReadonlyArray<{ readonly severity: StatusItem['severity']; readonly heading: string }> = [
  { severity: 'error', heading: 'Needs action now' },
  { severity: 'warning', heading: 'Coming up' },
  { severity: 'info', heading: 'Under way' },
];

/** An item of each kind in words, one and many ("3 more unverified peers"). */
const KIND_WORDS: Readonly<Record<StatusItem['kind'], readonly [string, string]>> = {
  'key-overdue': ['overdue key', 'overdue keys'],
  'key-due': ['key coming due', 'keys coming due'],
  'rotation-in-progress': ['rotation under way', 'rotations under way'],
  'peer-unverified': ['unverified peer', 'unverified peers'],
  'peer-mismatch': ['peer whose safety code did not match', 'peers whose safety code did not match'],
  'peer-test-failed': ['peer whose last link test failed', 'peers whose last link test failed'],
  'pin-set-expired': ['expired pin set', 'expired pin sets'],
  'pin-set-expiring': ['pin set expiring soon', 'pin sets expiring soon'],
  'pin-set-no-backup': ['host without a backup pin', 'hosts without a backup pin'],
  'pinned-cert-expiring': ['certificate expiring soon', 'certificates expiring soon'],
  'pinned-cert-expired': ['expired certificate', 'expired certificates'],
  'batch-failed-rows': ['batch with failed rows', 'batches with failed rows'],
  'doctor': ['data folder problem', 'data folder problems'],
};

/**
 * Items of one kind shown at first. A fleet of 10,000 unverified peers is 10,000 items: drawn
 * at once, they froze the Overview for 1.8 s, and the whole report was 4.8 MB. The page asks for
 * at most so many of each kind (status.get `perKind`); the rest come SHOW_MORE at a time, on request.
 */
export const FIRST_OF_KIND = 5;
export const SHOW_MORE = 50;

export interface KindRun {
  readonly kind: StatusItem['kind'];
  readonly items: ReadonlyArray<StatusItem>;
}

/** Items by kind, each kind where it first appears (the report orders by source). */
export function runsOfKind(items: ReadonlyArray<StatusItem>): KindRun[] {
  const byKind = new Map<StatusItem['kind'], StatusItem[]>();
  for (const item of items) {
    const run = byKind.get(item.kind);
    if (run) run.push(item);
    else byKind.set(item.kind, [item]);
  }
  return [...byKind].map(([kind, of]) => ({ kind, items: of }));
}

/** The button under a kind's items when fewer than its `total` are shown; null when all are. */
export function moreOf(kind: StatusItem['kind'], shown: number, total: number): { readonly label: string; readonly next: number } | null {
  const rest = total - shown;
  if (rest <= 0) return null;
  const [one, many] = KIND_WORDS[kind];
  if (rest <= SHOW_MORE) return { label: `Show ${rest} more ${rest === 1 ? one : many}`, next: total };
  return { label: `Show ${SHOW_MORE} more of ${rest} ${many}`, next: shown + SHOW_MORE };
}

/** Items grouped by severity, in the report's order, empty groups left out. */
export function groupBySeverity(items: ReadonlyArray<StatusItem>): Array<{ severity: StatusItem['severity']; heading: string; items: StatusItem[] }> {
  return SEVERITY_HEADINGS.map(({ severity, heading }) => ({ severity, heading, items: items.filter((i) => i.severity === severity) })).filter((g) => g.items.length > 0);
}

/** A store with nothing in it yet: the Overview offers a start instead. */
export function isEmptyStore(report: StatusReport): boolean {
  const c = report.counts;
  return report.storeRead && c.keys === 0 && c.peers === 0 && c.devices === 0 && c.batches === 0 && c.pinSets === 0;
}
