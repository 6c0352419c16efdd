// Rotation policies: how often each role's keys are replaced unless the user says otherwise,
// and when a key falls due.
import type { Identity, KeyGeneration, Role } from '../store/document.js';
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
  return keyDates(identity, currentGeneration(identity), new Date(0)).dueAt;
}

/** Whole days since the current key came into use. */
export function ageDays(identity: Identity, now: Date): number {
  return keyDates(identity, currentGeneration(identity), now).ageDays;
}

/** dueDate and ageDays in one go, for a caller that has found `current` already (a list's rows). */
export function keyDates(identity: Identity, current: KeyGeneration, now: Date): { dueAt: Date | null; ageDays: number } {
  const since = Date.parse(current.promotedAt ?? current.createdAt);
  return {
    dueAt: identity.rotateEveryDays === null ? null : new Date(since + identity.rotateEveryDays * DAY_MS),
    ageDays: Math.floor((now.getTime() - since) / DAY_MS),
  };
}
