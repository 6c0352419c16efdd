// The rotation wizard's state: which step is shown, the form of each step, and the identity's
// rotation status as the main process last reported it. The step follows from the key
// generations (a half-finished rotation opens where it stands); rollback is offered at every step
// of a rotation under way; promotion only after a passing live test, or with an explicit force.
// No DOM here: each step is its own component over this class, and the class is tested alone.
import {
  DEFAULT_GRACE_DAYS,
  type RotationAction,
  type RotationNextStep,
  type RotationStage,
  rotationInProgress,
} from '../../../src-main/common/rotation.js';
import type { ArgsOf, ChannelName, ResultOf } from '../../../src-main/ipc/contract.js';

export type { RotationNextStep, RotationStage };

/** The contract client's one method the wizard needs (the real ContractClient, or a test's stub). */
export interface RotationCalls {
  call<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>>;
}

export type RotationStatus = ResultOf<'rotation.status'>;
export type Distribution = ResultOf<'rotation.distribute'>;
export type PendingTestResult = ResultOf<'rotation.test'>['result'];
export type RotationTargets = ResultOf<'rotation.targets'>;
export type RotationTarget = RotationTargets['targets'][number];
export type TargetTest = ResultOf<'rotation.testAll'>['tests'][number];

/** A target's key in the wizard's choice (peers and own servers by id, bare endpoints by address). */
export function targetKey(target: Pick<RotationTarget, 'kind' | 'id' | 'endpoint'>): string {
  return target.kind === 'endpoint' ? `endpoint:${target.endpoint}` : `${target.kind}:${target.id ?? ''}`;
}

/** Whether a notice reports a success, a failure, or just a fact: its colour follows. */
export type NoticeTone = 'ok' | 'danger' | 'info';

export const WIZARD_STEPS = ['stage', 'distribute', 'test', 'promote', 'finish'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const STEP_LABELS: Readonly<Record<WizardStep, string>> = {
  stage: 'Stage',
  distribute: 'Distribute',
  test: 'Test',
  promote: 'Promote',
  finish: 'Finish',
};

export const STAGE_LABELS: Readonly<Record<RotationStage, string>> = {
  idle: 'No rotation in progress',
  staged: 'Pending key staged, not yet shown to work',
  tested: 'Pending key passed a live test',
  promoted: 'New key promoted; the previous key is kept for its grace period',
  'grace-over': 'New key promoted; the grace period is over, time to finish',
};

/** The wizard step that carries out a next step's action (rollback and revoke have none). */
export const STEP_OF_ACTION: Readonly<Record<RotationAction, WizardStep | null>> = {
  stage: 'stage',
  distribute: 'distribute',
  test: 'test',
  promote: 'promote',
  finish: 'finish',
  rollback: null,
  revoke: null,
};

/** A next step in the user's words: a sentence, never a command line. */
export function nextStepSentence(step: Readonly<RotationNextStep>, formatDate: (iso: string) => string = (iso) => iso.slice(0, 10)): string {
  switch (step.action) {
    case 'stage':
      return `Stage a new key pair for ${step.identity}; its current key stays in use until the new one is promoted.`;
    case 'distribute':
      return 'Hand the pending public key to the peers that must accept it (certificate files for their allowlist, a QR code).';
    case 'test':
      return 'Test the pending key live where it is used (the servers it connects to, or for a server key the endpoint serving it): promotion is offered once every test passes.';
    case 'promote':
      return step.force
        ? 'Or promote the pending key without a passing test (recorded as forced).'
        : 'Promote the pending key: it becomes current, and the previous key is kept for the grace period.';
    case 'finish':
      if (step.force) return 'Or finish now, cutting off peers still on the previous key.';
      return step.after
        ? `Once every peer uses the new key, finish: the previous key is retired when its grace period ends (${formatDate(step.after)}).`
        : 'The grace period is over: finish, retiring the previous key and deleting its secret.';
    case 'rollback':
      return 'Or roll the rotation back to the previous key.';
    case 'revoke':
      return step.generation === undefined ? `Revoke a key generation of ${step.identity}.` : `Revoke key generation ${step.generation} of ${step.identity}.`;
  }
}

/** The button that takes a next step in the wizard (names unlike the step buttons themselves). */
export function nextStepButton(step: Readonly<RotationNextStep>): string | null {
  if (step.action === 'rollback') return 'Roll back…';
  const target = STEP_OF_ACTION[step.action];
  return target ? `Open the ${STEP_LABELS[target]} step` : null;
}

export type SocketType = NonNullable<ArgsOf<'rotation.test'>['socketType']>;

/** A folder the main process chose: the page keeps its handle and shows its path. */
export type ChosenFolder = NonNullable<ResultOf<'rotation.chooseFolder'>['folder']>;

export interface WizardForm {
  flavour: 'zcert' | 'pyzmq';
  /** Test: whose key the server has: a stored peer, or a pasted key. */
  serverSource: 'peer' | 'key';
  peer: string;
  serverKey: string;
  /** Empty: the peer's first endpoint. */
  endpoint: string;
  socketType: SocketType;
  timeoutMs: number;
  /** Promote: days the previous key stays valid beside the new one. */
  graceDays: number;
  /** Promote without a passing test (the user ticked the warning). */
  forcePromote: boolean;
  /** Finish before the grace period ends. */
  forceFinish: boolean;
  /** Distribute: replace files in the folder that Curvekeep did not write. */
  replaceForeign: boolean;
}

export interface WizardFailure {
  readonly code: string;
  readonly message: string;
}

/** The step a rotation in this stage opens on. */
export function stepForStatus(status: Pick<RotationStatus, 'stage' | 'identity'>): WizardStep {
  switch (status.stage) {
    case 'idle':
      return 'stage';
    case 'staged':
      // A pending key tested and failed goes back to the test; an untested one still needs handing out.
      return status.identity.pending?.lastTest ? 'test' : 'distribute';
    case 'tested':
      return 'promote';
    case 'promoted':
    case 'grace-over':
      return 'finish';
  }
}

const REACHABLE: Readonly<Record<RotationStage, ReadonlyArray<WizardStep>>> = Object.freeze({
  idle: ['stage'],
  staged: ['distribute', 'test', 'promote'],
  tested: ['distribute', 'test', 'promote'],
  promoted: ['finish'],
  'grace-over': ['finish'],
});

/** Which steps make sense in this stage. */
export function stepsReachable(stage: RotationStage): ReadonlyArray<WizardStep> {
  return REACHABLE[stage];
}

function failureOf(error: unknown): WizardFailure {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    return { code: String((error as { code: unknown }).code), message: String((error as { message: unknown }).message) };
  }
  return { code: 'page-error', message: error instanceof Error ? error.message : String(error) };
}

export class RotationWizard {
  readonly ref: string;
  status = $state<RotationStatus | null>(null);
  step = $state<WizardStep>('stage');
  busy = $state(false);
  error = $state<WizardFailure | null>(null);
  /** What the last action did, in a sentence (for the live region). */
  notice = $state<string | null>(null);
  /** Green for a success, red for a failure (a rejected test is never shown in green). */
  noticeTone = $state<NoticeTone>('info');
  /** The servers (or, for a server key, endpoints) to test against; null until loaded. */
  targets = $state<RotationTargets | null>(null);
  /** The targets ticked for the test, by targetKey. */
  chosen = $state<ReadonlyArray<string>>([]);
  /** Server keys: the own client identity to connect as ('' : a one-time key). */
  asClient = $state('');
  /** The last test of every chosen target. */
  lastTests = $state<ReadonlyArray<TargetTest> | null>(null);
  /** The last test of every chosen target passed. */
  lastTestsPassed = $state(false);
  /** When the key finished just now is due again (null: no policy). */
  nextDueAt = $state<string | null>(null);
  distribution = $state<Distribution | null>(null);
  lastTest = $state<PendingTestResult | null>(null);
  /** The generation retired by the last finish: the rotation is complete. */
  finishedGeneration = $state<number | null>(null);
  /** Distribute: the folder to write into (e.g. a server's allowlist folder); null: the app asks when writing. */
  folder = $state<ChosenFolder | null>(null);
  form = $state<WizardForm>({
    flavour: 'zcert',
    serverSource: 'peer',
    peer: '',
    serverKey: '',
    endpoint: '',
    socketType: 'dealer',
    timeoutMs: 5000,
    graceDays: DEFAULT_GRACE_DAYS,
    forcePromote: false,
    forceFinish: false,
    replaceForeign: false,
  });
  readonly #client: RotationCalls;

  constructor(client: RotationCalls, ref: string) {
    this.#client = client;
    this.ref = ref;
  }

  get stage(): RotationStage {
    return this.status?.stage ?? 'idle';
  }

  get reachable(): ReadonlyArray<WizardStep> {
    return stepsReachable(this.stage);
  }

  /** A rotation is under way: rollback is offered. */
  get canRollback(): boolean {
    return rotationInProgress(this.stage);
  }

  /** The next steps the main process reported, the usual one first (data; the page words them). */
  get next(): ReadonlyArray<RotationNextStep> {
    return this.status?.next ?? [];
  }

  /**
   * Takes a next step: opens the wizard step that carries it out, with a force ticked when the
   * step is a forced one. Rollback is the view's (it asks first): returns false for it.
   */
  take(step: Readonly<RotationNextStep>): boolean {
    const target = STEP_OF_ACTION[step.action];
    if (!target || !this.goTo(target)) return false;
    if (step.force && step.action === 'promote') this.form.forcePromote = true;
    if (step.force && step.action === 'finish') this.form.forceFinish = true;
    return true;
  }

  /** The pending key's last recorded test passed. */
  get testPassed(): boolean {
    return this.stage === 'tested';
  }

  /** Promotion is offered: after a passing test, or when the user chose to force it. */
  get canPromote(): boolean {
    return this.testPassed || (this.stage === 'staged' && this.form.forcePromote);
  }

  /** The grace period still runs: finishing now needs the user's explicit choice. */
  get finishIsEarly(): boolean {
    return this.stage === 'promoted';
  }

  get canFinish(): boolean {
    return this.stage === 'grace-over' || (this.stage === 'promoted' && this.form.forceFinish);
  }

  /**
   * A server key is tested where a listener presents it (the endpoint, empty: the identity's own),
   * connecting as the only client identity; a client or device key against a peer or a pasted key.
   */
  get testsServerKey(): boolean {
    return this.status?.identity.role === 'server';
  }

  get canTest(): boolean {
    if (!(this.stage === 'staged' || this.stage === 'tested')) return false;
    if (this.testsServerKey) return true;
    if (this.form.serverSource === 'peer') return this.form.peer.trim() !== '';
    return this.form.serverKey.trim().length === 40 && this.form.endpoint.trim() !== '';
  }

  /** The targets ticked, in the order shown. */
  get chosenTargets(): ReadonlyArray<RotationTarget> {
    return (this.targets?.targets ?? []).filter((t) => this.chosen.includes(targetKey(t)));
  }

  get canTestAll(): boolean {
    return (this.stage === 'staged' || this.stage === 'tested') && this.chosenTargets.length > 0;
  }

  /** Ticks or unticks one target. */
  toggle(target: RotationTarget, on: boolean): void {
    const key = targetKey(target);
    this.chosen = on ? (this.chosen.includes(key) ? this.chosen : [...this.chosen, key]) : this.chosen.filter((k) => k !== key);
  }

  /** Server keys: another endpoint where a listener presents the pending key. */
  addEndpoint(endpoint: string): boolean {
    const text = endpoint.trim();
    if (!this.targets || text === '') return false;
    const target: RotationTarget = { kind: 'endpoint', id: null, name: text, endpoint: text, remembered: false, lastVerdict: null, lastAt: null };
    if (!this.targets.targets.some((t) => targetKey(t) === targetKey(target))) this.targets = { ...this.targets, targets: [...this.targets.targets, target] };
    this.toggle(target, true);
    return true;
  }

  /** Reads the servers this identity is tested against; the remembered ones are ticked. */
  async loadTargets(): Promise<boolean> {
    return this.#run(async () => {
      const found = await this.#client.call('rotation.targets', { ref: this.ref });
      this.targets = found;
      this.chosen = found.targets.filter((t) => t.remembered).map(targetKey);
      if (found.role === 'server' && this.asClient === '' && found.clients.length > 0) this.asClient = found.clients[0]!.id;
    });
  }

  /** Tests the pending key against every ticked target; promotion is offered only when all pass. */
  async testAll(): Promise<boolean> {
    this.lastTests = null;
    this.lastTestsPassed = false;
    const targets = this.chosenTargets;
    return this.#run(async () => {
      const server = this.testsServerKey;
      const tested = await this.#client.call('rotation.testAll', {
        ref: this.ref,
        targets: targets.map((t) => (t.kind === 'endpoint' ? { endpoint: t.endpoint } : { server: t.id ?? t.name, endpoint: t.endpoint })),
        socketType: this.form.socketType,
        timeoutMs: this.form.timeoutMs,
        ...(server ? (this.asClient ? { as: this.asClient } : { oneTimeKey: true }) : {}),
      });
      this.lastTests = tested.tests;
      this.lastTestsPassed = tested.passed;
      this.#apply(tested, 'test');
      const failed = tested.tests.filter((t) => t.result?.verdict !== 'ok').length;
      const total = tested.tests.length;
      const what = server ? (total === 1 ? 'the endpoint' : `all ${total} endpoints`) : total === 1 ? 'the server' : `all ${total} servers`;
      this.noticeTone = tested.passed ? 'ok' : 'danger';
      this.notice = tested.passed
        ? `The pending key passed at ${what}: promotion is offered.`
        : `The pending key failed at ${failed} of ${total} ${server ? (total === 1 ? 'endpoint' : 'endpoints') : total === 1 ? 'server' : 'servers'}: it is not promoted.`;
    });
  }

  /** Reads where the identity's rotation stands and opens the step it is at. */
  async load(): Promise<boolean> {
    return this.#run(async () => {
      this.#apply(await this.#client.call('rotation.status', { ref: this.ref }));
    });
  }

  /** Shows another step, if it makes sense in the current stage. */
  goTo(step: WizardStep): boolean {
    if (!this.reachable.includes(step)) return false;
    this.step = step;
    this.error = null;
    return true;
  }

  async stageKey(): Promise<boolean> {
    return this.#run(async () => {
      const staged = await this.#client.call('rotation.stage', { ref: this.ref });
      this.finishedGeneration = null;
      this.nextDueAt = null;
      this.distribution = null;
      this.lastTest = null;
      this.lastTests = null;
      this.lastTestsPassed = false;
      this.form.forcePromote = false;
      this.form.forceFinish = false;
      this.#apply(staged);
      this.noticeTone = 'ok';
      this.notice = `Staged generation ${staged.generation}: the current key is untouched until promotion.`;
    });
  }

  async distribute(): Promise<boolean> {
    return this.#run(async () => {
      const done = await this.#client.call('rotation.distribute', { ref: this.ref, flavour: this.form.flavour, ...(this.folder ? { folder: this.folder.handle } : {}), ...(this.form.replaceForeign ? { force: true } : {}) });
      this.distribution = done;
      this.folder = done.folder;
      // The step stays, so the files written and the QR code can be read before moving on.
      this.noticeTone = 'ok';
      this.notice = `Wrote ${done.files.length} public certificate${done.files.length === 1 ? '' : 's'} to ${done.dir}.`;
    });
  }

  /** Asks the main process for the folder to distribute into (a dialog in the app). */
  async chooseFolder(): Promise<boolean> {
    return this.#run(async () => {
      const { folder } = await this.#client.call('rotation.chooseFolder', {});
      if (folder) this.folder = folder;
    });
  }

  async test(): Promise<boolean> {
    this.lastTest = null;
    return this.#run(async () => {
      const f = this.form;
      const endpoint = f.endpoint.trim();
      const args: ArgsOf<'rotation.test'> = {
        ref: this.ref,
        socketType: f.socketType,
        timeoutMs: f.timeoutMs,
        ...(this.testsServerKey ? {} : f.serverSource === 'peer' ? { peer: f.peer.trim() } : { serverKey: f.serverKey.trim() }),
        ...(endpoint ? { endpoint } : {}),
      };
      const tested = await this.#client.call('rotation.test', args);
      this.lastTest = tested.result;
      // The step stays so that the verdict card can be read; promotion is then one click away.
      this.#apply(tested, 'test');
      this.noticeTone = tested.result.verdict === 'ok' ? 'ok' : 'danger';
      this.notice =
        tested.result.verdict === 'ok'
          ? 'The pending key passed the live test: promotion is offered.'
          : `The live test said ${tested.result.verdict}: ${tested.result.hint}.`;
    });
  }

  async promote(): Promise<boolean> {
    if (!this.canPromote) {
      this.error = { code: 'refused', message: 'promotion needs a passing live test of the pending key, or an explicit force' };
      return false;
    }
    const force = !this.testPassed && this.form.forcePromote;
    return this.#run(async () => {
      this.#apply(await this.#client.call('rotation.promote', { ref: this.ref, graceDays: this.form.graceDays, ...(force ? { force: true } : {}) }));
      this.noticeTone = 'ok';
      this.notice = force
        ? 'Promoted without a passing test (forced; recorded in the audit log).'
        : `Promoted: the previous key stays valid for ${this.form.graceDays} day${this.form.graceDays === 1 ? '' : 's'}.`;
    });
  }

  async finish(): Promise<boolean> {
    if (!this.canFinish) {
      this.error = { code: 'refused', message: 'the grace period still runs; tick "finish now" to cut off peers still on the previous key' };
      return false;
    }
    return this.#run(async () => {
      const finished = await this.#client.call('rotation.finish', { ref: this.ref, ...(this.stage === 'promoted' ? { force: true } : {}) });
      this.#apply(finished, 'finish');
      this.finishedGeneration = finished.retiredGeneration;
      this.nextDueAt = finished.identity.dueAt;
      this.noticeTone = 'ok';
      this.notice = `Rotation finished: generation ${finished.retiredGeneration} is retired${finished.secretDeleted ? ' and its secret deleted from the keychain' : ''}.`;
    });
  }

  async rollback(): Promise<boolean> {
    if (!this.canRollback) return false;
    return this.#run(async () => {
      const back = await this.#client.call('rotation.rollback', { ref: this.ref });
      this.distribution = null;
      this.lastTest = null;
      this.lastTests = null;
      this.finishedGeneration = null;
      this.form.forcePromote = false;
      this.form.forceFinish = false;
      this.#apply(back);
      this.noticeTone = 'ok';
      this.notice =
        back.undone === 'staged'
          ? `Rolled back: pending generation ${back.revokedGeneration} is revoked; the current key never changed.`
          : `Rolled back: generation ${back.revokedGeneration} is revoked and the previous key is current again.`;
    });
  }

  /** Revokes a key generation that leaked (the previous one in its grace period, typically). */
  async revoke(generation: number): Promise<boolean> {
    return this.#run(async () => {
      const revoked = await this.#client.call('rotation.revoke', { ref: this.ref, generation });
      this.#apply(revoked);
      this.noticeTone = 'ok';
      this.notice = `Revoked generation ${revoked.revokedGeneration}: peers can no longer use it${revoked.secretDeleted ? ', and its secret is deleted from the keychain' : ''}.`;
    });
  }

  #apply(status: RotationStatus, step?: WizardStep): void {
    this.status = { identity: status.identity, stage: status.stage, next: status.next };
    this.step = step ?? stepForStatus(status);
  }

  async #run(work: () => Promise<void>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    this.notice = null;
    this.noticeTone = 'info';
    try {
      await work();
      return true;
    } catch (error) {
      this.error = failureOf(error);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
