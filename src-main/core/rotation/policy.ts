// Rotation policies: how often each role's keys are replaced unless the user says otherwise,
// and when a key falls due.
import type { Identity, Role } from '../store/document.js';
import { DAY_MS } from '../../common/time.js';

export const DEFAULT_ROTATION_DAYS: Readonly<Record<Role, number>> = {
  server: 365,
  client: 180,
  device: 365,
};


/** The generation in use: `current` (or, mid-rotation before any promotion, the newest). */
export function currentGeneration(identity: Identity) {
  return identity.generations.find((g) => g.state === 'current') ?? identity.generations.at(-1)!;
}

export function pendingGeneration(identity: Identity) {
  return identity.generations.find((g) => g.state === 'pending') ?? null;
}

/** When the current key falls due for rotation, or null when it never does. */
export function dueDate(identity: Identity): Date | null {
  if (identity.rotateEveryDays === null) return null;
  const current = currentGeneration(identity);
  const since = Date.parse(current.promotedAt ?? current.createdAt);
  return new Date(since + identity.rotateEveryDays * DAY_MS);
}

export function ageDays(identity: Identity, now: Date): number {
  const current = currentGeneration(identity);
  return Math.floor((now.getTime() - Date.parse(current.promotedAt ?? current.createdAt)) / DAY_MS);
}
