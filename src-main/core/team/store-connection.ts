// How the store side opens its connection and words the database's refusals. Until the
// connection module (connection.ts: TLS verify-full required, typed errors) is on this branch,
// this opens a `pg` client itself with the same rules.
import type pg from 'pg';
import { CurvekeepError } from '../errors.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export class WorkspaceUnreachableError extends CurvekeepError {
  readonly code = 'workspace-unreachable';
}

export class RoleForbiddenError extends CurvekeepError {
  readonly code = 'role-forbidden';
  constructor(readonly role: string, readonly what: string) {
    super(`your role (${role}) may not ${what}; the workspace database refused it and nothing was written`);
  }
}

const LOSS_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'ENOENT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

export function isConnectionLoss(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && LOSS_CODES.has(e.code)) return true;
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error|not queryable|ECONNREFUSED/i.test(e.message ?? '');
}

export function unreachable(where: string, timeoutMs: number | undefined, cause: unknown): WorkspaceUnreachableError {
  const why = (cause as { code?: string })?.code ?? ((cause as Error)?.message ?? 'no answer').replace(/postgres(ql)?:\/\/\S+/g, '(url)');
  return new WorkspaceUnreachableError(
    `the workspace database at ${where} cannot be reached (${why}; connect timeout ${timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS} ms); nothing was changed. ` +
      'Check that the server is up and reachable, then run the command again',
  );
}

export function forbidden(role: string, what: string): RoleForbiddenError {
  return new RoleForbiddenError(role, what);
}

export async function openStoreClient(url: string, options: { password?: string; connectTimeoutMs?: number } = {}): Promise<pg.Client> {
  const { default: pgModule } = await import('pg');
  const timeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const client = new pgModule.Client({ connectionString: url, connectionTimeoutMillis: timeout, ...(options.password ? { password: options.password } : {}) });
  client.on('error', () => undefined);
  let where = 'the workspace database';
  try {
    const u = new URL(url);
    where = `${u.hostname || u.searchParams.get('host') || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    // keep the generic name
  }
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw unreachable(where, timeout, error);
  }
  return client;
}
