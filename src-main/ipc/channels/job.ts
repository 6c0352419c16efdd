// Long operations (sweeps, provisioning) run as jobs: a `*.start` channel returns a job id at once,
// the page polls `*.progress` for done/total and the results so far, and `*.cancel` stops it.
// Plain request/answer calls, so the pattern works the same over Electron IPC and the bridge's HTTP.
import { z } from 'zod';

export const JOB_STATES = ['running', 'done', 'cancelled', 'failed'] as const;

export const JobIdSchema = z.string().regex(/^job_[0-9a-f]{32}$/, 'not a job id (job_ and 32 hex digits)');

export const JobStartedSchema = z.object({ jobId: z.string(), total: z.number().int().min(0) });

/** Ask for the results from this index on, so that a poll carries only what is new. */
export const JobProgressArgs = z.strictObject({ jobId: JobIdSchema, from: z.number().int().min(0).max(1_000_000).optional() });

export const JobCancelArgs = z.strictObject({ jobId: JobIdSchema });

export const JobCancelledSchema = z.object({ jobId: z.string(), state: z.enum(JOB_STATES) });

/** One poll's answer: where the job stands, and the results from `from` on. */
export function jobProgressSchema<R extends z.ZodType>(result: R) {
  return z.object({
    jobId: z.string(),
    state: z.enum(JOB_STATES),
    done: z.number().int().min(0),
    total: z.number().int().min(0),
    /** The index of the first result in `results` (the `from` asked for). */
    from: z.number().int().min(0),
    results: z.array(result),
    /** Why a failed job stopped, in words for the user. */
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  });
}
