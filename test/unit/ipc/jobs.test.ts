// The job registry behind sweeps and provisioning: progress from an index, cancellation through
// the work's signal, a failure kept without an unexpected error's text, the running-job limit and
// the expiry of finished jobs (with an injected clock).
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { FINISHED_JOB_TTL_MS, JobRegistry, MAX_RUNNING_JOBS, MAX_RESULTS_PER_POLL } from '../../../src-main/ipc/handlers/jobs.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

async function settled(registry: JobRegistry, kind: string, id: string) {
  for (let i = 0; i < 100; i++) {
    const progress = registry.progress(kind, id);
    if (progress.state !== 'running') return progress;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('job did not settle');
}

describe('JobRegistry', () => {
  it('reports done/total and the results from an index on', async () => {
    const registry = new JobRegistry();
    const step = gate();
    const id = registry.start<number>('sweep', 3, async (control) => {
      control.report(1);
      control.report(2);
      await step.opened;
      control.report(3);
    });
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(registry.progress('sweep', id, 1)).toMatchObject({ state: 'running', done: 2, total: 3, from: 1, results: [2] });
    step.open();
    expect(await settled(registry, 'sweep', id)).toMatchObject({ state: 'done', done: 3, results: [1, 2, 3] });
  });

  it('takes 200,000 results published at once (a provisioning run of that many rows), a page per poll', async () => {
    const registry = new JobRegistry();
    const rows = Array.from({ length: 200_000 }, (_, i) => i);
    const id = registry.start<number>('provisioning', rows.length, async (control) => {
      control.publish(rows);
      control.setDone(rows.length);
    });
    const progress = await settled(registry, 'provisioning', id);
    expect(progress).toMatchObject({ state: 'done', done: 200_000 });
    expect(progress.results).toHaveLength(Math.min(MAX_RESULTS_PER_POLL, 200_000));
    expect(registry.progress('provisioning', id, 199_999).results).toEqual([199_999]);
  });

  it('cancels through the signal the work sees', async () => {
    const registry = new JobRegistry();
    const id = registry.start('sweep', 1, (control) => new Promise<void>((_resolve, reject) => control.signal.addEventListener('abort', () => reject(new Error('stopped')))));
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(registry.cancel('sweep', id)).toBe('running');
    expect((await settled(registry, 'sweep', id)).state).toBe('cancelled');
  });

  it("keeps a typed failure's message and hides an unexpected one", async () => {
    const registry = new JobRegistry();
    const typed = registry.start('p', 0, async () => {
      throw new InvalidInputError('row 3: bad key');
    });
    const odd = registry.start('p', 0, async () => {
      throw new Error('secret-looking text');
    });
    expect((await settled(registry, 'p', typed)).error).toEqual({ code: 'invalid-input', message: 'row 3: bad key' });
    const failure = (await settled(registry, 'p', odd)).error;
    expect(failure?.code).toBe('internal');
    expect(failure?.message).not.toContain('secret-looking');
  });

  it('refuses more running jobs than the limit, a job of another kind, and forgets old jobs', async () => {
    let now = 0;
    const registry = new JobRegistry(() => now);
    const hold = gate();
    const ids = Array.from({ length: MAX_RUNNING_JOBS }, () => registry.start('sweep', 1, () => hold.opened));
    expect(() => registry.start('sweep', 1, async () => undefined)).toThrow(/running already/);
    expect(() => registry.progress('provisioning', ids[0]!)).toThrow(/no provisioning job/);
    hold.open();
    await settled(registry, 'sweep', ids[0]!);
    now += FINISHED_JOB_TTL_MS + 1;
    expect(() => registry.progress('sweep', ids[0]!)).toThrow(/no sweep job/);
  });

  it('hands out at most one page of results per poll', async () => {
    const registry = new JobRegistry();
    const id = registry.start<number>('p', 0, async (control) => {
      control.setDone(1200);
      control.publish(Array.from({ length: 1200 }, (_, i) => i));
    });
    const done = await settled(registry, 'p', id);
    expect(done.results).toHaveLength(MAX_RESULTS_PER_POLL);
    expect(registry.progress('p', id, 1000).results).toHaveLength(200);
  });
});
