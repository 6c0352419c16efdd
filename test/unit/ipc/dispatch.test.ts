// The dispatcher refuses what it must before any handler runs, and lets nothing out that the
// contract does not name. Handlers here are recording stand-ins; the real handlers run against
// the real keychain in test/integration/app/ipc-keys.test.ts.
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src-main/core/errors.js';
import { CHANNEL_NAMES } from '../../../src-main/ipc/contract.js';
import { Dispatcher, type Sender, type TrustedSender, electronSender, handleElectronCalls, tokensMatch } from '../../../src-main/ipc/dispatch.js';
import type { HandlerContext } from '../../../src-main/ipc/handlers/context.js';
import { type HandlerTable, handlerTable } from '../../../src-main/ipc/handlers/table.js';
import { ELECTRON_CALL_CHANNEL } from '../../../src-main/ipc/transport.js';

const APP_URL = 'app://curvekeep/';
const TOKEN = 'k3Y-9f0c2b1e7d6a5c4b3a29180f7e6d5c4b3a2918';
const PUBLIC_KEY = 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID';
const SECRET_KEY = 'D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs';

const appFrame: Sender = { kind: 'electron', fromAppWindow: true, frame: { url: 'app://curvekeep/index.html#/keys', isTopFrame: true } };

function identity(name: string) {
  const generation = {
    generation: 1,
    state: 'current' as const,
    publicKey: PUBLIC_KEY,
    safetyCode: '12345 67890 12345 67890 12345 67890',
    createdAt: '2025-01-01T00:00:00.000Z',
    promotedAt: null,
    graceUntil: null,
    lastTest: null,
  };
  return {
    id: 'id_0123456789ab',
    name,
    role: 'server' as const,
    tags: [],
    endpoints: ['tcp://127.0.0.7:5555'],
    createdAt: generation.createdAt,
    publicKey: PUBLIC_KEY,
    safetyCode: generation.safetyCode,
    state: 'current' as const,
    generation: 1,
    ageDays: 3,
    rotateEveryDays: 90,
    dueAt: '2025-04-01T00:00:00.000Z',
    due: 'ok' as const,
    pending: null,
    generations: [generation],
  };
}

interface Harness {
  readonly dispatcher: Dispatcher;
  readonly ran: string[];
  readonly log: string[];
}

function harness(trusted: TrustedSender, overrides: Partial<Record<keyof HandlerTable, (args: unknown) => Promise<unknown>>> = {}): Harness {
  const ran: string[] = [];
  const log: string[] = [];
  const context: HandlerContext = {
    shell: trusted.kind,
    appVersion: '9.9.9',
    workspace: () => {
      throw new Error('the stand-in handlers never open a workspace');
    },
    chooseExportFolder: async () => null,
  };
  const handlers = Object.fromEntries(
    CHANNEL_NAMES.map((channel) => [
      channel,
      async (args: unknown) => {
        ran.push(channel);
        const override = overrides[channel];
        if (override) return override(args);
        return handlerTable[channel](args as never, context);
      },
    ]),
  ) as unknown as HandlerTable;
  return { dispatcher: new Dispatcher({ handlers, context, trusted, log: (line) => log.push(line) }), ran, log };
}

const electron: TrustedSender = { kind: 'electron', appUrl: APP_URL };
const bridge: TrustedSender = { kind: 'bridge', token: TOKEN };

describe('dispatch: channels', () => {
  it('refuses a channel the contract does not name, without running anything', async () => {
    const h = harness(electron);
    for (const channel of ['keys.exportEverything', '', 'constructor', '__proto__', 'toString', 42, null, { channel: 'app.info' }]) {
      const outcome = await h.dispatcher.call(channel, {}, appFrame);
      expect(outcome).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    }
    expect(h.ran).toEqual([]);
  });

  it('runs a known channel and returns its result', async () => {
    const h = harness(electron, { 'keys.show': async () => identity('gateway-07') });
    const outcome = await h.dispatcher.call('keys.show', { ref: 'gateway-07' }, appFrame);
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && (outcome.result as { name: string }).name).toBe('gateway-07');
    expect(h.ran).toEqual(['keys.show']);
  });
});

describe('dispatch: arguments', () => {
  const bad: ReadonlyArray<[string, unknown, RegExp]> = [
    ['keys.show', {}, /ref/],
    ['keys.show', { ref: 42 }, /ref: .*expected string/i],
    ['keys.show', { ref: '' }, /ref/],
    ['keys.show', undefined, /arguments/],
    ['keys.show', 'gateway-07', /arguments/],
    ['keys.show', { ref: 'gateway-07', secret: true }, /secret/],
    ['keys.generate', { name: 'gw', role: 'admin' }, /role/],
    ['keys.generate', { name: 'gw', rotateEveryDays: 0 }, /rotateEveryDays/],
    ['keys.delete', { ref: 'gw' }, /confirm/],
    ['keys.delete', { ref: 'gw', confirm: 'yes' }, /confirm/],
    ['keys.delete', { ref: 'gw', confirm: false }, /explicit confirmation/],
    ['app.info', { extra: 1 }, /extra/],
  ];

  it.each(bad)('refuses %s with %j before its handler runs', async (channel, args, names) => {
    const h = harness(electron);
    const outcome = await h.dispatcher.call(channel, args, appFrame);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('invalid-arguments');
    expect(outcome.error.message).toMatch(names);
    expect(h.ran).toEqual([]);
  });

  it('never quotes an argument value in its refusal or its log', async () => {
    const h = harness(electron);
    const outcome = await h.dispatcher.call('keys.show', { ref: 'x', note: SECRET_KEY }, appFrame);
    const other = await h.dispatcher.call('keys.generate', { name: 'gw', rotateEveryDays: SECRET_KEY }, appFrame);
    expect(JSON.stringify([outcome, other, h.log])).not.toContain(SECRET_KEY);
  });
});

describe('dispatch: senders (Electron)', () => {
  const foreign: ReadonlyArray<[string, Sender]> = [
    ['another window', { kind: 'electron', fromAppWindow: false, frame: { url: 'app://curvekeep/index.html', isTopFrame: true } }],
    ['a sub-frame of our page', { kind: 'electron', fromAppWindow: true, frame: { url: 'app://curvekeep/index.html', isTopFrame: false } }],
    ['a remote page in our window', { kind: 'electron', fromAppWindow: true, frame: { url: 'https://evil.example/', isTopFrame: true } }],
    ['a file:// page', { kind: 'electron', fromAppWindow: true, frame: { url: 'file:///tmp/index.html', isTopFrame: true } }],
    ['our scheme, another host', { kind: 'electron', fromAppWindow: true, frame: { url: 'app://evil/index.html', isTopFrame: true } }],
    ['a look-alike with credentials', { kind: 'electron', fromAppWindow: true, frame: { url: 'app://curvekeep@evil/index.html', isTopFrame: true } }],
    ['a gone frame', { kind: 'electron', fromAppWindow: true, frame: null }],
    ['an unparsable URL', { kind: 'electron', fromAppWindow: true, frame: { url: 'not a url', isTopFrame: true } }],
    ['a bridge caller, even with a token', { kind: 'bridge', token: TOKEN }],
  ];

  it.each(foreign)('refuses %s', async (_what, sender) => {
    const h = harness(electron);
    const outcome = await h.dispatcher.call('app.info', {}, sender);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'foreign-sender' } });
    expect(h.ran).toEqual([]);
    expect(h.log.join('\n')).toMatch(/refused/);
  });

  it('checks the sender before the channel, so a stranger does not learn which channels exist', async () => {
    const h = harness(electron);
    const outcome = await h.dispatcher.call('no.such', {}, foreign[2]![1]);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'foreign-sender' } });
  });

  it('reads the sender from an Electron event: window, top frame, URL, detached frames', () => {
    const ours = (id: number) => id === 7;
    const top = { url: 'app://curvekeep/index.html', parent: null };
    expect(electronSender({ sender: { id: 7 }, senderFrame: top }, ours)).toEqual(appFrame.kind === 'electron' ? { kind: 'electron', fromAppWindow: true, frame: { url: top.url, isTopFrame: true } } : null);
    expect(electronSender({ sender: { id: 8 }, senderFrame: top }, ours)).toMatchObject({ fromAppWindow: false });
    expect(electronSender({ sender: { id: 7 }, senderFrame: { url: top.url, parent: top } }, ours)).toMatchObject({ frame: { isTopFrame: false } });
    expect(electronSender({ sender: { id: 7 }, senderFrame: { ...top, detached: true } }, ours)).toMatchObject({ frame: null });
    expect(electronSender({ sender: { id: 7 }, senderFrame: null }, ours)).toMatchObject({ frame: null });
  });

  it('registers exactly one ipcMain handler, and it goes through the checks', async () => {
    const registered = new Map<string, (event: never, ...args: unknown[]) => Promise<unknown>>();
    const ipcMain = {
      handle: (channel: string, listener: (event: never, ...args: unknown[]) => Promise<unknown>) => void registered.set(channel, listener),
      removeHandler: (channel: string) => void registered.delete(channel),
    };
    const h = harness(electron);
    const remove = handleElectronCalls(ipcMain, h.dispatcher, (id) => id === 1);
    expect([...registered.keys()]).toEqual([ELECTRON_CALL_CHANNEL]);
    const listener = registered.get(ELECTRON_CALL_CHANNEL)!;
    const fromOtherWindow = await listener({ sender: { id: 2 }, senderFrame: { url: 'app://curvekeep/index.html', parent: null } } as never, 'app.info', {});
    expect(fromOtherWindow).toMatchObject({ ok: false, error: { code: 'foreign-sender' } });
    remove();
    expect(registered.size).toBe(0);
  });
});

describe('dispatch: senders (bridge)', () => {
  it('needs the token', async () => {
    const h = harness(bridge);
    expect(await h.dispatcher.call('app.info', {}, { kind: 'bridge', token: undefined })).toMatchObject({ ok: false, error: { code: 'token-required' } });
    expect(await h.dispatcher.call('app.info', {}, { kind: 'bridge', token: '' })).toMatchObject({ ok: false, error: { code: 'token-required' } });
    expect(h.ran).toEqual([]);
  });

  it.each([
    ['a wrong token of the same length', TOKEN.replace(/.$/, 'x')],
    ['a prefix of the token', TOKEN.slice(0, 20)],
    ['the token and more', `${TOKEN}0`],
  ])('refuses %s', async (_what, token) => {
    const h = harness(bridge);
    expect(await h.dispatcher.call('app.info', {}, { kind: 'bridge', token })).toMatchObject({ ok: false, error: { code: 'foreign-sender' } });
    expect(h.ran).toEqual([]);
  });

  it('refuses an Electron frame, even our own', async () => {
    const h = harness(bridge);
    expect(await h.dispatcher.call('app.info', {}, appFrame)).toMatchObject({ ok: false, error: { code: 'foreign-sender' } });
  });

  it('compares tokens exactly', () => {
    expect(tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(tokensMatch(TOKEN.toUpperCase(), TOKEN)).toBe(false);
    expect(tokensMatch('', TOKEN)).toBe(false);
  });
});

describe('dispatch: results', () => {
  it('drops keys the contract does not name, at any depth', async () => {
    const leaky = { ...identity('gateway-07'), secretKey: SECRET_KEY, generations: [{ ...identity('g').generations[0], secretKey: SECRET_KEY }] };
    const h = harness(electron, { 'keys.show': async () => leaky, 'keys.list': async () => ({ identities: [leaky], secretKeys: [SECRET_KEY] }) });
    const shown = await h.dispatcher.call('keys.show', { ref: 'gateway-07' }, appFrame);
    const listed = await h.dispatcher.call('keys.list', {}, appFrame);
    expect(shown.ok && listed.ok).toBe(true);
    expect(JSON.stringify([shown, listed])).not.toContain(SECRET_KEY);
    expect(shown.ok && Object.keys(shown.result as object)).not.toContain('secretKey');
    expect(shown.ok && (shown.result as { publicKey: string }).publicKey).toBe(PUBLIC_KEY);
  });

  it('sends nothing when a result breaks its schema, and logs only where', async () => {
    const h = harness(electron, { 'keys.show': async () => ({ ...identity('gw'), publicKey: SECRET_KEY.slice(0, 39) }) });
    const outcome = await h.dispatcher.call('keys.show', { ref: 'gw' }, appFrame);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(h.log.join('\n')).toMatch(/keys\.show.*publicKey/);
    expect(JSON.stringify([outcome, h.log])).not.toContain(SECRET_KEY.slice(0, 39));
  });
});

describe('dispatch: errors', () => {
  it("passes a CurvekeepError's code and message", async () => {
    const h = harness(electron, { 'keys.show': async () => Promise.reject(new NotFoundError('no identity with id or name "gw"')) });
    const outcome = await h.dispatcher.call('keys.show', { ref: 'gw' }, appFrame);
    expect(outcome).toEqual({ ok: false, error: { code: 'not-found', message: 'no identity with id or name "gw"' } });
  });

  it('turns any other error into a generic message, without its text or stack', async () => {
    const h = harness(electron, {
      'keys.show': async () => {
        throw new SyntaxError(`Unexpected token in "${SECRET_KEY}"`);
      },
      'keys.list': async () => Promise.reject('a bare string'),
    });
    for (const channel of ['keys.show', 'keys.list']) {
      const outcome = await h.dispatcher.call(channel, channel === 'keys.show' ? { ref: 'gw' } : {}, appFrame);
      expect(outcome.ok).toBe(false);
      if (outcome.ok) continue;
      expect(Object.keys(outcome.error).sort()).toEqual(['code', 'message']);
      expect(outcome.error.code).toBe('internal');
      expect(outcome.error.message).not.toMatch(/Unexpected|at |\.ts:|bare string/);
    }
    expect(h.log.join('\n')).toMatch(/internal error in "keys\.show": SyntaxError/);
    expect(JSON.stringify(h.log)).not.toContain(SECRET_KEY);
  });

  it('answers app.info through the real handler', async () => {
    const ran: string[] = [];
    const context: HandlerContext = {
      shell: 'bridge',
      appVersion: '1.2.3',
      workspace: () => ({ home: '/data/curvekeep', secrets: { description: 'OS keychain, service "t"' } }) as never,
      chooseExportFolder: async () => null,
    };
    const dispatcher = new Dispatcher({ handlers: handlerTable, context, trusted: bridge, log: (line) => ran.push(line) });
    const outcome = await dispatcher.call('app.info', {}, { kind: 'bridge', token: TOKEN });
    expect(outcome).toEqual({
      ok: true,
      result: { name: 'Curvekeep', version: '1.2.3', dataFolder: '/data/curvekeep', keychain: 'OS keychain, service "t"', shell: 'bridge', platform: process.platform, store: { kind: 'local', where: '/data/curvekeep', login: null, reachable: true } },
    });
  });
});
