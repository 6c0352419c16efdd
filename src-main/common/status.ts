// The words of `status` (the overview), written once for core, the IPC contract, the CLI and the
// page: item kinds, severities, and the names a subject or a fact may have (closed lists, so that
// the app's result schema is a closed shape and both faces carry the same keys).

export const STATUS_SEVERITIES = ['error', 'warning', 'info'] as const;
export type StatusSeverity = (typeof STATUS_SEVERITIES)[number];

export const STATUS_KINDS = [
  'key-overdue',
  'key-due',
  'rotation-in-progress',
  'peer-unverified',
  'peer-mismatch',
  'peer-test-failed',
  'pin-set-expired',
  'pin-set-expiring',
  'pin-set-no-backup',
  'pinned-cert-expiring',
  'pinned-cert-expired',
  'batch-failed-rows',
  'doctor',
] as const;
export type StatusKind = (typeof STATUS_KINDS)[number];

/** Items due within this many days are listed (keys and pin sets). */
export const STATUS_WINDOW_DAYS = 30;

/** What an item is about (ids and names). */
export const STATUS_SUBJECT_KEYS = ['id', 'name', 'role', 'host', 'code', 'csvName', 'server', 'serverName', 'pinSet'] as const;
export type StatusSubjectKey = (typeof STATUS_SUBJECT_KEYS)[number];

/** The facts of an item (scalars). `secrets` is a count (doctor: keychain items an unfinished write names). */
export const STATUS_FACT_KEYS = [
  // keys and rotations
  'dueAt', 'daysLeft', 'ageDays', 'rotateEveryDays', 'generation', 'stage', 'graceUntil',
  // peers
  'at', 'createdAt', 'allowed', 'verdict', 'endpoint', 'lastSuccessAt',
  // pin sets
  'expires', 'pins',
  // pinned hosts' certificates (the last `pins check`)
  'notAfter', 'leafSubject', 'pinMatched',
  // batches
  'failed', 'rows', 'ok', 'skipped', 'outDir', 'firstFailedRow', 'firstReason',
  // doctor findings
  'repairable', 'committed', 'secrets', 'reason', 'file', 'kind', 'account', 'id', 'name', 'role', 'host',
  'sharedService', 'entries', 'position', 'seq', 'revision', 'sealedRevision', 'outcome',
] as const;
export type StatusFactKey = (typeof STATUS_FACT_KEYS)[number];
