// The servers a rotation is tested against, as the app's wizard asks for them (the use cases
// behind rotation.targets and rotation.testAll; the calendar file through the real dispatcher): derived from the store (a past test's endpoint,
// the identity's own endpoints, stored peers and own servers there), and tested together against
// two real pyzmq CURVE servers. A pass at one server never offers promotion while the other refuses
// the pending key, whatever the order of the tests.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { distributeRotation } from '../../../src-main/core/rotation/distribute.js';
import { rotationTargets, stageRotation, testRotationTargets } from '../../../src-main/core/usecases/rotation.js';
import { ipcCaller } from '../../helpers/ipc.js';
import { type FolderRouter, startFolderRouter } from '../../helpers/rotation/folder-router.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

describe('rotation targets', () => {
  let t: TestWorkspace;
  let dirA: string;
  let dirB: string;
  let routerA: FolderRouter;
  let routerB: FolderRouter;
  const keysA = generateKeyPair();
  const keysB = generateKeyPair();

  beforeAll(async () => {
    t = testWorkspace('rotation-targets');
    dirA = mkdtempSync(join(tmpdir(), 'curvekeep-targets-a-'));
    dirB = mkdtempSync(join(tmpdir(), 'curvekeep-targets-b-'));
    routerA = await startFolderRouter(keysA, dirA);
    routerB = await startFolderRouter(keysB, dirB);
    const { ws } = t;
    await generateIdentity(ws, { name: 'field-client', role: 'client', endpoints: [routerB.endpoint] });
    await generateIdentity(ws, { name: 'gw', role: 'server', endpoints: ['tcp://127.0.0.1:9'] });
    await addPeer(ws, { name: 'broker-a', publicKey: keysA.publicKey, endpoints: [routerA.endpoint] });
    await addPeer(ws, { name: 'historian-b', publicKey: keysB.publicKey, endpoints: [routerB.endpoint] });
    await addPeer(ws, { name: 'unrelated', publicKey: generateKeyPair().publicKey, endpoints: ['tcp://127.0.0.1:9'] });
    await addPeer(ws, { name: 'no-endpoint', publicKey: generateKeyPair().publicKey });
    await ws.store.update((tx) => {
      const client = tx.data.identities.find((i) => i.name === 'field-client')!;
      client.generations[0]!.lastTest = { endpoint: routerA.endpoint, verdict: 'ok', at: '2026-01-01T00:00:00.000Z' };
    });
  });

  afterAll(async () => {
    await routerA?.stop();
    await routerB?.stop();
    await t.cleanup();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  });

  it('remembers the servers of a client key from its past tests and endpoints, and offers the others unticked', async () => {
    const found = await rotationTargets(t.ws, 'field-client');
    expect(found.role).toBe('client');
    const byName = Object.fromEntries(found.targets.map((target) => [target.name, target]));
    expect(byName['broker-a']).toMatchObject({ kind: 'peer', endpoint: routerA.endpoint, remembered: true, lastVerdict: 'ok' });
    expect(byName['historian-b']).toMatchObject({ kind: 'peer', endpoint: routerB.endpoint, remembered: true, lastVerdict: null });
    expect(byName['unrelated']).toMatchObject({ remembered: false });
    expect(byName['gw']).toMatchObject({ kind: 'identity', remembered: false });
    // Nothing to connect to: not offered.
    expect(byName['no-endpoint']).toBeUndefined();
    // Remembered first.
    expect(found.targets.slice(0, 2).map((target) => target.name).sort()).toEqual(['broker-a', 'historian-b']);
  });

  it('lists a server key by its endpoints, with the clients a test can connect as', async () => {
    const found = await rotationTargets(t.ws, 'gw');
    expect(found.targets).toEqual([{ kind: 'endpoint', id: null, name: 'tcp://127.0.0.1:9', endpoint: 'tcp://127.0.0.1:9', remembered: false, lastVerdict: null, lastAt: null }]);
    expect(found.clients.map((c) => c.name)).toEqual(['field-client']);
  });

  it('records a failure when one server refuses the pending key, even when a later test passes', async () => {
    const { ws } = t;
    await stageRotation(ws, 'field-client');
    // Server A learns the pending key; server B does not.
    await distributeRotation(ws, 'field-client', { out: dirA });
    await distributeRotation(ws, 'field-client', { out: dirB });
    expect(await routerA.reload()).toBe(2);
    rmSync(join(dirB, 'field-client.gen2.key'));
    expect(await routerB.reload()).toBe(1);

    // B fails first, A passes last: what stays recorded is B's failure.
    const mixed = await testRotationTargets(ws, 'field-client', [{ server: 'historian-b' }, { server: 'broker-a' }], { timeoutMs: 4000 });
    expect(mixed.tests.map((test) => test.result?.verdict)).toEqual(['rejected', 'ok']);
    expect(mixed.passed).toBe(false);
    expect(mixed.stage).toBe('staged');
    expect(mixed.identity.pending?.lastTest).toMatchObject({ verdict: 'rejected', endpoint: routerB.endpoint });

    // A target that cannot be tested is a failure too, with a typed error rather than a throw.
    const unknown = await testRotationTargets(ws, 'field-client', [{ server: 'broker-a' }, { server: 'no-such-server' }], { timeoutMs: 4000 });
    expect(unknown.passed).toBe(false);
    expect(unknown.tests[1]).toMatchObject({ result: null, error: { code: 'not-found' } });
    expect(unknown.stage).toBe('staged');

    await distributeRotation(ws, 'field-client', { out: dirB });
    expect(await routerB.reload()).toBe(2);
    const all = await testRotationTargets(ws, 'field-client', [{ server: 'historian-b' }, { server: 'broker-a' }], { timeoutMs: 4000 });
    expect(all.passed).toBe(true);
    expect(all.stage).toBe('tested');

    // The next rotation remembers where this one was tested.
    const after = await rotationTargets(ws, 'field-client');
    expect(after.targets.find((target) => target.name === 'broker-a')?.lastVerdict).toBe('ok');
  });

  it('remembers every server a rotation was tested at, not only the last one', async () => {
    const { ws } = t;
    await generateIdentity(ws, { name: 'roamer', role: 'client' });
    await stageRotation(ws, 'roamer');
    // Neither server knows roamer's pending key: both refuse it, and both tests are recorded.
    const tested = await testRotationTargets(ws, 'roamer', [{ server: 'broker-a' }, { server: 'historian-b' }], { timeoutMs: 4000 });
    expect(tested.tests.map((test) => test.result?.verdict)).toEqual(['rejected', 'rejected']);
    const found = await rotationTargets(ws, 'roamer');
    const remembered = found.targets.filter((target) => target.remembered).map((target) => target.name).sort();
    expect(remembered).toEqual(['broker-a', 'historian-b']);
    expect(found.targets.find((target) => target.name === 'broker-a')).toMatchObject({ lastVerdict: 'rejected' });
  });

  it('refuses an empty list of servers', async () => {
    await expect(testRotationTargets(t.ws, 'field-client', [])).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('writes the due dates as a calendar file into the chosen folder, in the words of the app, never over a file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'curvekeep-calendar-'));
    try {
      const ipc = ipcCaller(t, async () => out);
      const first = await ipc.ok('rotation.calendar', {});
      const second = await ipc.ok('rotation.calendar', {});
      expect(first.fileName).toMatch(/^curvekeep-rotations-\d{4}-\d{2}-\d{2}\.ics$/);
      expect(second.fileName).toMatch(/-2\.ics$/);
      expect(readdirSync(out).sort()).toEqual([first.fileName, second.fileName].sort());
      const ics = readFileSync(join(out, first.fileName as string), 'utf8');
      expect(ics).toMatch(/^BEGIN:VCALENDAR/);
      // field-client and gw have default policies: both are due some day.
      expect(first.events).toBe((ics.match(/BEGIN:VEVENT/g) ?? []).length);
      expect(first.events).toBeGreaterThanOrEqual(1);
      expect(ics).toContain('Open Curvekeep');
      expect(ics).not.toMatch(/curvekeep rotate|--[a-z]/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
