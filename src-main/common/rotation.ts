// The words of key rotation (ARCHITECTURE.md section 5), written once for core, the IPC contract,
// the CLI and the page: key states, rotation stages and how a stage follows from the key
// generations, the next steps as data, due states, and the defaults both faces share.
import { type LinkVerdict, isLinkVerdict } from './link.js';
import { DAY_MS } from './time.js';

/** `pending` -> `current` -> `previous` -> `retired`; any state -> `revoked`. */
export const KEY_STATES = ['pending', 'current', 'previous', 'retired', 'revoked'] as const;
export type KeyState = (typeof KEY_STATES)[number];

/** States whose secret stays in the keychain; a retired or revoked key's secret is deleted. */
export const LIVE_KEY_STATES: ReadonlyArray<KeyState> = ['pending', 'current', 'previous'];

/**
 * Where an identity stands in its rotation:
 * - `idle`: one current key, nothing under way;
 * - `staged`: a pending key exists, not yet shown to work (or its last test failed);
 * - `tested`: the pending key passed a live test, promotion is offered;
 * - `promoted`: the new key is current, the previous one is still kept (grace period);
 * - `grace-over`: as promoted, but the grace period has ended: time to finish.
 */
export const ROTATION_STAGES = ['idle', 'staged', 'tested', 'promoted', 'grace-over'] as const;
export type RotationStage = (typeof ROTATION_STAGES)[number];

/** What a rollback undid: a staged key (dropped), or a promotion (the previous key is current again). */
export const ROLLBACK_UNDONE = ['staged', 'promoted'] as const;
export type RollbackUndone = (typeof ROLLBACK_UNDONE)[number];

/** What the user can do to a rotation; each face words it (a command line, a button). */
export const ROTATION_ACTIONS = ['stage', 'distribute', 'test', 'promote', 'finish', 'rollback', 'revoke'] as const;
export type RotationAction = (typeof ROTATION_ACTIONS)[number];

/**
 * A next step as data. `identity` is the identity's name (the CLI's REF). `force`: the step is
 * refused without it (promote untested, finish in the grace period, revoke the current key).
 * `after`: the step is due then (finish after the grace period). `generation`: for revoke.
 */
export interface RotationNextStep {
  readonly action: RotationAction;
  readonly identity: string;
  readonly force?: boolean;
  readonly after?: string;
  readonly generation?: number;
}

/** Grace period of the previous key after a promotion, unless the user says otherwise. */
export const DEFAULT_GRACE_DAYS = 7;
export const MAX_GRACE_DAYS = 365;

/** "Due soon": due within this many days (the identity view's badge and `rotate --due` without a date). */
export const DUE_SOON_DAYS = 14;
export const DUE_STATES = ['ok', 'due-soon', 'overdue', 'never'] as const;
export type DueState = (typeof DUE_STATES)[number];

/** What the stage derivation reads of a key generation (core's document and the IPC view both fit). */
export interface GenerationFacts {
  readonly state: KeyState;
  readonly graceUntil?: string | null | undefined;
  readonly lastTest?: { readonly verdict: string } | null | undefined;
}

/** The one derivation of a rotation stage from the key generations, at time `now`. */
export function rotationStage(generations: ReadonlyArray<GenerationFacts>, now: Date | number): RotationStage {
  const pending = generations.find((g) => g.state === 'pending');
  if (pending) return pending.lastTest?.verdict === 'ok' ? 'tested' : 'staged';
  const previous = generations.find((g) => g.state === 'previous');
  if (previous) {
    const at = typeof now === 'number' ? now : now.getTime();
    return previous.graceUntil && Date.parse(previous.graceUntil) <= at ? 'grace-over' : 'promoted';
  }
  return 'idle';
}

/** A rotation is under way (rollback is offered). */
export function rotationInProgress(stage: RotationStage): boolean {
  return stage !== 'idle';
}

/** The steps that take a rotation in this stage on, the usual one first. */
export function nextSteps(identity: string, stage: RotationStage, generations: ReadonlyArray<GenerationFacts> = []): ReadonlyArray<RotationNextStep> {
  switch (stage) {
    case 'idle':
      return [{ action: 'stage', identity }];
    case 'staged':
      return [{ action: 'distribute', identity }, { action: 'test', identity }, { action: 'rollback', identity }];
    case 'tested':
      return [{ action: 'promote', identity }, { action: 'rollback', identity }];
    case 'promoted': {
      const until = generations.find((g) => g.state === 'previous')?.graceUntil;
      return [{ action: 'finish', identity, ...(until ? { after: until } : {}) }, { action: 'rollback', identity }];
    }
    case 'grace-over':
      return [{ action: 'finish', identity }, { action: 'rollback', identity }];
  }
}

/** Due state of a key falling due at `dueAt` (null: never), at time `now`. */
export function dueState(dueAt: Date | null, now: Date): DueState {
  if (dueAt === null) return 'never';
  const left = dueAt.getTime() - now.getTime();
  if (left <= 0) return 'overdue';
  return left <= DUE_SOON_DAYS * DAY_MS ? 'due-soon' : 'ok';
}

/** Whole days until due, rounded down; negative when overdue. */
export function daysUntil(dueAt: Date, now: Date): number {
  return Math.floor((dueAt.getTime() - now.getTime()) / DAY_MS);
}

/** What a pending key's test proves: a server admits the pending client key, or an endpoint presents the pending server key. */
export type RotationTestProof = 'client-admitted' | 'server-presents';

/** Advice in both forms: after "hint:" (CLI) and as a sentence (page). */
export interface RotationTestAdvice {
  readonly hint: string;
  readonly next: string;
}

const ROTATION_TEST_ADVICE: Readonly<Record<RotationTestProof, Partial<Record<LinkVerdict, RotationTestAdvice>>>> = {
  'server-presents': {
    'wrong-server-key': {
      hint: 'this endpoint still presents the current key: start a listener with the pending key there, then test again',
      next: 'This endpoint still presents the current key: start a listener with the pending key there.',
    },
  },
  'client-admitted': {
    rejected: {
      hint: 'the server does not admit the pending key yet: hand it out to its allowlist, then test again',
      next: 'The server does not admit the pending key yet: hand it out again.',
    },
  },
};

/**
 * The advice for a pending key's test verdict where a peer test's advice would mislead (an
 * endpoint presenting the current server key is a listener not restarted yet, not a wrong key we
 * hold); null where the link test's own advice holds.
 */
export function rotationTestAdvice(proves: RotationTestProof, verdict: string): RotationTestAdvice | null {
  return isLinkVerdict(verdict) ? (ROTATION_TEST_ADVICE[proves][verdict] ?? null) : null;
}
