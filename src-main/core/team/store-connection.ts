// How the store side opens its connection: through the connection module (verified TLS required,
// typed errors: unreachable -> exit 3, 42501 -> "your role (X) may not ..."), loaded on first use
// so that commands on the local document never load the PostgreSQL client.
import type { WorkspaceConnection } from './connection.js';

export async function openStoreConnection(url: string, options: { password?: string; connectTimeoutMs?: number } = {}): Promise<WorkspaceConnection> {
  const { openWorkspaceConnection } = await import('./connection.js');
  return openWorkspaceConnection(url, { ...(options.password ? { password: options.password } : {}), ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}) });
}

/** A server-side fault or a dropped connection: the next use opens a new one. */
export function isConnectionLoss(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'workspace-unreachable';
}
