// The job registry behind the `*.start` / `*.progress` / `*.cancel` channels (channels/job.ts).
// One registry per handler context (the Electron shell and the bridge each have one), so no job
// is visible across them. A job's failure is kept as `{ code, message }` of a CurvekeepError, or a
// generic message: an unexpected error's text may quote what it choked on.
import { randomBytes } from 'node:crypto';
import { NotFoundError, RefusedError, isCurvekeepError } from '../../core/errors.js';
import type { HandlerContext } from './context.js';

export type JobState = 'running' | 'done' | 'cancelled' | 'failed';

export interface JobFailure {
  readonly code: string;
  readonly message: string;
}

export interface JobSnapshot<R> {
  readonly jobId: string;
  readonly state: JobState;
  readonly done: number;
  readonly total: number;
  readonly from: number;
  readonly results: ReadonlyArray<R>;
  readonly error: JobFailure | null;
  /** What the whole job came to, once known (e.g. provisioning's counts and files). */
  readonly summary: unknown;
}

/** What a job's work sees: its cancellation signal and where to put its results. */
export interface JobControl<R> {
  readonly signal: AbortSignal;
  /** One unit done, with its result (a sweep's verdict, a provisioning row). */
  report(result: R): void;
  /** The total, when it is known only once the work has started. */
  setTotal(total: number): void;
  /** Units done when the work counts them itself (its results come later, with `publish`). */
  setDone(done: number): void;
  /** Results that do not count as units done (they were counted with `setDone`). */
  publish(results: ReadonlyArray<R>): void;
  setSummary(summary: unknown): void;
}

interface Job {
  readonly id: string;
  readonly kind: string;
  readonly controller: AbortController;
  state: JobState;
  done: number;
  total: number;
  results: unknown[];
  error: JobFailure | null;
  summary: unknown;
  finishedAt: number | null;
}

/** At most this many jobs run at once per context: a page cannot start sweeps without end. */
export const MAX_RUNNING_JOBS = 4;
/** A finished job's results stay this long for a late poll, then go. */
export const FINISHED_JOB_TTL_MS = 10 * 60_000;
const MAX_FINISHED_JOBS = 32;
/** One poll carries at most this many results; the page asks again from where it got to. */
export const MAX_RESULTS_PER_POLL = 500;

const INTERNAL: JobFailure = Object.freeze({ code: 'internal', message: 'the job stopped because of an internal error; please try again' });

export class JobRegistry {
  readonly #jobs = new Map<string, Job>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Starts `work` in the background and returns its job id at once. */
  start<R>(kind: string, total: number, work: (control: JobControl<R>) => Promise<void>): string {
    this.#prune();
    const running = [...this.#jobs.values()].filter((job) => job.state === 'running').length;
    if (running >= MAX_RUNNING_JOBS) {
      throw new RefusedError(`${running} long operations are running already; wait for one to finish or cancel it`);
    }
    const job: Job = {
      id: `job_${randomBytes(16).toString('hex')}`,
      kind,
      controller: new AbortController(),
      state: 'running',
      done: 0,
      total,
      results: [],
      error: null,
      summary: null,
      finishedAt: null,
    };
    this.#jobs.set(job.id, job);
    const control: JobControl<R> = {
      signal: job.controller.signal,
      report: (result) => {
        if (job.state !== 'running') return;
        job.results.push(result);
        job.done += 1;
        if (job.done > job.total) job.total = job.done;
      },
      setTotal: (value) => {
        job.total = Math.max(value, job.done);
      },
      setDone: (value) => {
        if (job.state !== 'running') return;
        job.done = Math.max(job.done, value);
        if (job.done > job.total) job.total = job.done;
      },
      publish: (results) => {
        // One at a time: push(...results) takes one argument per result, too many for a large run.
        if (job.state === 'running') for (const result of results) job.results.push(result);
      },
      setSummary: (summary) => {
        if (job.state === 'running') job.summary = summary;
      },
    };
    // The work starts on the next turn, after the caller has the id.
    void Promise.resolve()
      .then(() => work(control))
      .then(
        () => this.#finish(job, job.controller.signal.aborted ? 'cancelled' : 'done', null),
        (error: unknown) => {
          if (job.controller.signal.aborted) this.#finish(job, 'cancelled', null);
          else this.#finish(job, 'failed', isCurvekeepError(error) ? { code: error.code, message: error.message } : INTERNAL);
        },
      );
    return job.id;
  }

  progress<R>(kind: string, jobId: string, from = 0): JobSnapshot<R> {
    const job = this.#find(kind, jobId);
    const start = Math.min(from, job.results.length);
    return {
      jobId: job.id,
      state: job.state,
      done: job.done,
      total: job.total,
      from: start,
      results: job.results.slice(start, start + MAX_RESULTS_PER_POLL) as R[],
      error: job.error,
      summary: job.summary,
    };
  }

  /** Asks the job to stop; its state turns `cancelled` once its work has let go. */
  cancel(kind: string, jobId: string): JobState {
    const job = this.#find(kind, jobId);
    if (job.state === 'running') job.controller.abort(new RefusedError('cancelled'));
    return job.state;
  }

  #find(kind: string, jobId: string): Job {
    this.#prune();
    const job = this.#jobs.get(jobId);
    if (!job || job.kind !== kind) throw new NotFoundError(`there is no ${kind} job ${jobId} (finished jobs are kept for ${FINISHED_JOB_TTL_MS / 60_000} minutes)`);
    return job;
  }

  #finish(job: Job, state: JobState, error: JobFailure | null): void {
    if (job.state !== 'running') return;
    job.state = state;
    job.error = error;
    job.finishedAt = this.#now();
  }

  #prune(): void {
    const now = this.#now();
    const finished = [...this.#jobs.values()].filter((job) => job.finishedAt !== null);
    for (const job of finished) if (now - job.finishedAt! > FINISHED_JOB_TTL_MS) this.#jobs.delete(job.id);
    const excess = finished.filter((job) => this.#jobs.has(job.id)).slice(0, Math.max(0, finished.length - MAX_FINISHED_JOBS));
    for (const job of excess) this.#jobs.delete(job.id);
  }
}

const registries = new WeakMap<HandlerContext, JobRegistry>();

/** The job registry of this handler context (one per shell or bridge). */
export function jobsOf(context: HandlerContext): JobRegistry {
  let registry = registries.get(context);
  if (!registry) {
    registry = new JobRegistry();
    registries.set(context, registry);
  }
  return registry;
}
