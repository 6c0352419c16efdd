// The rotation wizard's class without a DOM. The contract client is a recording stub (it answers
// from a script and records every call); the real flow against a running responder is covered by
// test/e2e/rotation.test.ts.
import { describe, expect, it } from 'vitest';
import { ROTATION_STAGES, nextSteps } from '../../../src-main/common/rotation.js';
import type { ArgsOf, ChannelName, ResultOf } from '../../../src-main/ipc/contract.js';
import {
  type RotationCalls,
  type RotationNextStep,
  type RotationStage,
  type RotationStatus,
  RotationWizard,
  nextStepButton,
  nextStepSentence,
  stepForStatus,
} from '../../../src-renderer/views/rotation/rotation-wizard.svelte.js';

const KEY1 = 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID';
const KEY2 = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
const SERVER = 'HH4a&[xt?mxsG5cNO/PoCV)m}e@eqmJ!^G?L*2Z&';

type Generation = RotationStatus['identity']['generations'][number];

function generation(n: number, state: Generation['state'], lastTest: Generation['lastTest'] = null): Generation {
  return {
    generation: n,
    state,
    publicKey: n === 1 ? KEY1 : KEY2,
    safetyCode: '12345 67890 12345 67890 12345 67890',
    createdAt: '2026-01-01T00:00:00.000Z',
    promotedAt: null,
    graceUntil: state === 'previous' ? '2026-02-01T00:00:00.000Z' : null,
    lastTest,
  };
}

// The gateway of these tests is a client key (tested against a peer or a pasted server key); a
// server key's test is at the end of the file.
function status(stage: RotationStage, generations: Generation[], role: RotationStatus['identity']['role'] = 'client'): RotationStatus {
  const current = generations.find((g) => g.state === 'current') ?? generations[0]!;
  return {
    stage,
    next: [...nextSteps('gateway', stage, generations)],
    identity: {
      id: 'id_gateway',
      name: 'gateway',
      role,
      tags: [],
      endpoints: [],
      createdAt: '2026-01-01T00:00:00.000Z',
      publicKey: current.publicKey,
      safetyCode: current.safetyCode,
      state: current.state,
      generation: current.generation,
      ageDays: 3,
      rotateEveryDays: 90,
      dueAt: null,
      due: 'ok',
      pending: generations.find((g) => g.state === 'pending') ?? null,
      generations,
    },
  };
}

const IDLE = status('idle', [generation(1, 'current')]);
const STAGED = status('staged', [generation(1, 'current'), generation(2, 'pending')]);
const FAILED_TEST = status('staged', [generation(1, 'current'), generation(2, 'pending', { endpoint: 'tcp://127.0.0.1:5555', verdict: 'rejected', at: '2026-01-02T00:00:00.000Z' })]);
const TESTED = status('tested', [generation(1, 'current'), generation(2, 'pending', { endpoint: 'tcp://127.0.0.1:5555', verdict: 'ok', at: '2026-01-02T00:00:00.000Z' })]);
const PROMOTED = status('promoted', [generation(1, 'previous'), generation(2, 'current')]);
const GRACE_OVER = status('grace-over', [generation(1, 'previous'), generation(2, 'current')]);

function linkResult(verdict: 'ok' | 'rejected') {
  return { verdict, endpoint: 'tcp://127.0.0.1:5555', mechanism: 'CURVE', handshakeMs: 3, rttMs: null, hint: verdict === 'ok' ? 'nothing to do' : "add our public key to the peer's allowlist", detail: '' };
}

type Answer = (args: unknown) => unknown;

/** A stand-in for the contract client: answers from a script, records each call with its arguments. */
class RecordingStubClient implements RotationCalls {
  readonly calls: Array<{ channel: string; args: unknown }> = [];
  readonly #answers = new Map<string, Answer[]>();

  answer(channel: ChannelName, ...answers: Answer[]): this {
    this.#answers.set(channel, [...(this.#answers.get(channel) ?? []), ...answers]);
    return this;
  }

  async call<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
    this.calls.push({ channel, args });
    const queue = this.#answers.get(channel);
    const answer = queue?.shift();
    if (!answer) throw new Error(`the stub has no answer for ${channel}`);
    return answer(args) as ResultOf<C>;
  }

  channels(): string[] {
    return this.calls.map((c) => c.channel);
  }
}

function refusal(message: string): Answer {
  return () => {
    throw Object.assign(new Error(message), { code: 'refused' });
  };
}

describe('the step follows the key generations', () => {
  it.each([
    ['idle', IDLE, 'stage'],
    ['staged, untested', STAGED, 'distribute'],
    ['staged, last test failed', FAILED_TEST, 'test'],
    ['tested', TESTED, 'promote'],
    ['promoted', PROMOTED, 'finish'],
    ['grace over', GRACE_OVER, 'finish'],
  ] as const)('%s opens on %s', async (_name, current, step) => {
    expect(stepForStatus(current)).toBe(step);
    const client = new RecordingStubClient().answer('rotation.status', () => current);
    const wizard = new RotationWizard(client, 'gateway');
    expect(await wizard.load()).toBe(true);
    expect(wizard.step).toBe(step);
    expect(wizard.stage).toBe(current.stage);
    expect(client.calls).toEqual([{ channel: 'rotation.status', args: { ref: 'gateway' } }]);
  });
});

/** A folder handle as the main process hands it out: the page sends it back, never a path. */
const HANDLE = `fh_${'x'.repeat(32)}`;

describe('a full rotation', () => {
  it('walks stage, distribute, test, promote, finish with the form values', async () => {
    const client = new RecordingStubClient()
      .answer('rotation.status', () => IDLE)
      .answer('rotation.stage', () => ({ ...STAGED, generation: 2, publicKey: KEY2 }))
      .answer('rotation.chooseFolder', () => ({ folder: { handle: HANDLE, path: '/srv/allow' } }))
      .answer('rotation.distribute', (args) => ({
        dir: '/srv/allow',
        folder: { handle: (args as { folder: string }).folder, path: '/srv/allow' },
        left: [],
        entries: [],
        files: ['/srv/allow/gateway.gen1.key', '/srv/allow/gateway.gen2.key'],
        removed: [],
        qrFile: null,
        qrSvg: '<svg/>',
      }))
      .answer('rotation.test', () => ({ ...TESTED, result: linkResult('ok') }))
      .answer('rotation.promote', () => PROMOTED)
      .answer('rotation.finish', () => ({ ...IDLE, retiredGeneration: 1, secretDeleted: true }));
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    expect(wizard.canRollback).toBe(false);

    expect(await wizard.stageKey()).toBe(true);
    expect(wizard.step).toBe('distribute');
    expect(wizard.canRollback).toBe(true);
    expect(wizard.canPromote).toBe(false);

    expect(await wizard.chooseFolder()).toBe(true);
    expect(wizard.folder).toEqual({ handle: HANDLE, path: '/srv/allow' });
    expect(await wizard.distribute()).toBe(true);
    expect(wizard.step).toBe('distribute');
    expect(wizard.distribution?.files).toHaveLength(2);
    expect(wizard.goTo('test')).toBe(true);
    expect(wizard.notice).toContain('/srv/allow');

    wizard.form.serverSource = 'key';
    wizard.form.serverKey = SERVER;
    expect(wizard.canTest).toBe(false);
    wizard.form.endpoint = 'tcp://127.0.0.1:5555';
    expect(wizard.canTest).toBe(true);
    expect(await wizard.test()).toBe(true);
    expect(wizard.step).toBe('test');
    expect(wizard.lastTest?.verdict).toBe('ok');
    expect(wizard.canPromote).toBe(true);
    expect(wizard.goTo('promote')).toBe(true);

    wizard.form.graceDays = 0;
    expect(await wizard.promote()).toBe(true);
    expect(wizard.step).toBe('finish');
    expect(wizard.finishIsEarly).toBe(true);
    expect(wizard.canFinish).toBe(false);
    expect(await wizard.finish()).toBe(false);
    wizard.form.forceFinish = true;
    expect(await wizard.finish()).toBe(true);
    expect(wizard.finishedGeneration).toBe(1);
    expect(wizard.stage).toBe('idle');

    expect(client.calls.slice(1)).toEqual([
      { channel: 'rotation.stage', args: { ref: 'gateway' } },
      { channel: 'rotation.chooseFolder', args: {} },
      { channel: 'rotation.distribute', args: { ref: 'gateway', flavour: 'zcert', folder: HANDLE } },
      { channel: 'rotation.test', args: { ref: 'gateway', socketType: 'dealer', timeoutMs: 5000, serverKey: SERVER, endpoint: 'tcp://127.0.0.1:5555' } },
      { channel: 'rotation.promote', args: { ref: 'gateway', graceDays: 0 } },
      { channel: 'rotation.finish', args: { ref: 'gateway', force: true } },
    ]);
  });
});

describe('promotion is gated on a passing test', () => {
  it('offers no promotion after a failing test and makes no call', async () => {
    const client = new RecordingStubClient()
      .answer('rotation.status', () => STAGED)
      .answer('rotation.test', () => ({ ...FAILED_TEST, result: linkResult('rejected') }));
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    wizard.form.peer = 'broker';
    await wizard.test();
    expect(wizard.step).toBe('test');
    expect(wizard.lastTest?.verdict).toBe('rejected');
    expect(wizard.notice).toContain('allowlist');
    expect(wizard.canPromote).toBe(false);
    expect(await wizard.promote()).toBe(false);
    expect(wizard.error?.code).toBe('refused');
    expect(client.channels()).toEqual(['rotation.status', 'rotation.test']);
    expect(client.calls[1]!.args).toEqual({ ref: 'gateway', socketType: 'dealer', timeoutMs: 5000, peer: 'broker' });
  });

  it('promotes without a test only when forced, and says so', async () => {
    const client = new RecordingStubClient().answer('rotation.status', () => STAGED).answer('rotation.promote', () => PROMOTED);
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    wizard.form.forcePromote = true;
    expect(wizard.canPromote).toBe(true);
    expect(await wizard.promote()).toBe(true);
    expect(client.calls[1]).toEqual({ channel: 'rotation.promote', args: { ref: 'gateway', graceDays: 7, force: true } });
    expect(wizard.notice).toMatch(/forced/);
  });
});

describe('rollback at every step', () => {
  it.each([
    ['staged', STAGED, 'staged'],
    ['tested', TESTED, 'staged'],
    ['promoted', PROMOTED, 'promoted'],
    ['grace over', GRACE_OVER, 'promoted'],
  ] as const)('from %s', async (_name, current, undone) => {
    const client = new RecordingStubClient()
      .answer('rotation.status', () => current)
      .answer('rotation.rollback', () => ({ ...IDLE, undone, revokedGeneration: 2, secretDeleted: true }));
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    expect(wizard.canRollback).toBe(true);
    expect(await wizard.rollback()).toBe(true);
    expect(wizard.stage).toBe('idle');
    expect(wizard.step).toBe('stage');
    expect(wizard.notice).toMatch(/Rolled back/);
  });

  it('is not offered without a rotation under way', async () => {
    const client = new RecordingStubClient().answer('rotation.status', () => IDLE);
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    expect(await wizard.rollback()).toBe(false);
    expect(client.channels()).toEqual(['rotation.status']);
  });
});

describe('navigation and failures', () => {
  it('goes only to steps that make sense in the stage', async () => {
    const client = new RecordingStubClient().answer('rotation.status', () => STAGED);
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    expect(wizard.goTo('finish')).toBe(false);
    expect(wizard.goTo('stage')).toBe(false);
    expect(wizard.goTo('test')).toBe(true);
    expect(wizard.step).toBe('test');
  });

  it('keeps the main process refusal as the error and stays on the step', async () => {
    const client = new RecordingStubClient()
      .answer('rotation.status', () => IDLE)
      .answer('rotation.stage', refusal('gateway has a rotation in progress already'));
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    expect(await wizard.stageKey()).toBe(false);
    expect(wizard.error).toEqual({ code: 'refused', message: 'gateway has a rotation in progress already' });
    expect(wizard.step).toBe('stage');
    expect(wizard.busy).toBe(false);
  });
});

describe('next steps are data, worded by the page', () => {
  // Every step the main process can report: each stage's next steps, and the forced and revoke
  // variants that refusals carry.
  const steps: RotationNextStep[] = [
    ...ROTATION_STAGES.flatMap((stage) => nextSteps('gateway', stage, [generation(1, 'previous'), generation(2, 'current')])),
    { action: 'promote', identity: 'gateway', force: true },
    { action: 'finish', identity: 'gateway', force: true },
    { action: 'revoke', identity: 'gateway', generation: 2, force: true },
  ];

  it.each(steps.map((step) => [step.action, step] as const))('%s reads as a sentence and a button, never a command line', (_action, step) => {
    const sentence = nextStepSentence(step);
    const button = nextStepButton(step);
    for (const text of [sentence, button ?? '']) {
      expect(text).not.toMatch(/curvekeep|--[a-z]|\bDIR\b|ENDPOINT|SERVER/);
    }
    expect(sentence.length).toBeGreaterThan(10);
  });

  it('says when a finish is due, from the grace period the data carries', () => {
    expect(nextStepSentence({ action: 'finish', identity: 'gateway', after: '2026-02-01T00:00:00.000Z' })).toContain('2026-02-01');
    expect(nextSteps('gateway', 'promoted', PROMOTED.identity.generations)[0]).toEqual({ action: 'finish', identity: 'gateway', after: '2026-02-01T00:00:00.000Z' });
  });

  it('takes a next step: opens its wizard step, ticking the force a forced step needs; rollback stays with the view', async () => {
    const client = new RecordingStubClient().answer('rotation.status', () => STAGED);
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    expect(wizard.next.map((s) => s.action)).toEqual(['distribute', 'test', 'rollback']);
    expect(wizard.take(wizard.next[1]!)).toBe(true);
    expect(wizard.step).toBe('test');
    expect(wizard.take({ action: 'promote', identity: 'gateway', force: true })).toBe(true);
    expect(wizard.step).toBe('promote');
    expect(wizard.form.forcePromote).toBe(true);
    expect(wizard.canPromote).toBe(true);
    expect(wizard.take({ action: 'rollback', identity: 'gateway' })).toBe(false);
    expect(wizard.take({ action: 'finish', identity: 'gateway' })).toBe(false);
    expect(client.channels()).toEqual(['rotation.status']);
  });
});

describe('revoking a leaked key', () => {
  it('revokes the previous key with the generation asked for and shows where the rotation stands', async () => {
    const afterRevoke = status('idle', [{ ...generation(1, 'revoked'), graceUntil: null }, generation(2, 'current')]);
    const client = new RecordingStubClient()
      .answer('rotation.status', () => PROMOTED)
      .answer('rotation.revoke', () => ({ ...afterRevoke, revokedGeneration: 1, secretDeleted: true }));
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    expect(await wizard.revoke(1)).toBe(true);
    expect(client.calls[1]).toEqual({ channel: 'rotation.revoke', args: { ref: 'gateway', generation: 1 } });
    expect(wizard.stage).toBe('idle');
    expect(wizard.step).toBe('stage');
    expect(wizard.notice).toMatch(/Revoked generation 1/);
  });
});

describe('a server key is tested where its pending key is served (issue 12)', () => {
  it('asks for no peer or pasted key: the call names only the endpoint, and the form explains why', async () => {
    const staged = status('staged', [generation(1, 'current'), generation(2, 'pending')], 'server');
    const client = new RecordingStubClient()
      .answer('rotation.status', () => staged)
      .answer('rotation.test', () => ({ ...status('tested', [generation(1, 'current'), generation(2, 'pending', { endpoint: 'tcp://127.0.0.1:6000', verdict: 'ok', at: '2026-01-02T00:00:00.000Z' })], 'server'), result: linkResult('ok') }));
    const wizard = new RotationWizard(client, 'gateway');
    await wizard.load();
    expect(wizard.testsServerKey).toBe(true);
    expect(wizard.canTest).toBe(true);
    wizard.form.peer = 'broker';
    wizard.form.endpoint = 'tcp://127.0.0.1:6000';
    expect(await wizard.test()).toBe(true);
    expect(client.calls[1]).toEqual({ channel: 'rotation.test', args: { ref: 'gateway', socketType: 'dealer', timeoutMs: 5000, endpoint: 'tcp://127.0.0.1:6000' } });
    expect(wizard.canPromote).toBe(true);
  });
});
