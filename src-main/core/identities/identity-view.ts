// What the app and the CLI show of an identity: public material, state and due dates only.
import type { PublicKey } from '../curve/keys.js';
import { safetyCode, type SafetyCode } from '../curve/safety-code.js';
import type { Identity, KeyGeneration, KeyState, LinkTestRecord, Role } from '../store/document.js';
import { ageDays, currentGeneration, dueDate, pendingGeneration } from '../rotation/policy.js';
import { type DueState, dueState } from '../../common/rotation.js';

export interface GenerationView {
  readonly generation: number;
  readonly state: KeyState;
  readonly publicKey: PublicKey;
  readonly safetyCode: SafetyCode;
  readonly createdAt: string;
  readonly promotedAt: string | null;
  readonly graceUntil: string | null;
  readonly lastTest: LinkTestRecord | null;
}

export interface IdentityView {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly tags: ReadonlyArray<string>;
  readonly endpoints: ReadonlyArray<string>;
  readonly createdAt: string;
  readonly publicKey: PublicKey;
  readonly safetyCode: SafetyCode;
  readonly state: KeyState;
  readonly generation: number;
  readonly ageDays: number;
  readonly rotateEveryDays: number | null;
  readonly dueAt: string | null;
  readonly due: DueState;
  /** A rotation under way: the pending key, visible until promoted or rolled back. */
  readonly pending: GenerationView | null;
  readonly generations: ReadonlyArray<GenerationView>;
}

export function generationView(g: KeyGeneration): GenerationView {
  return {
    generation: g.generation,
    state: g.state,
    publicKey: g.publicKey as PublicKey,
    safetyCode: safetyCode(g.publicKey as PublicKey),
    createdAt: g.createdAt,
    promotedAt: g.promotedAt ?? null,
    graceUntil: g.graceUntil ?? null,
    lastTest: g.lastTest ?? null,
  };
}

export function identityView(identity: Identity, now: Date): IdentityView {
  const current = currentGeneration(identity);
  const generations = identity.generations.map(generationView);
  const currentView = generations[identity.generations.indexOf(current)]!;
  const due = dueDate(identity);
  const pending = pendingGeneration(identity);
  return {
    id: identity.id,
    name: identity.name,
    role: identity.role,
    tags: identity.tags,
    endpoints: identity.endpoints,
    createdAt: identity.createdAt,
    publicKey: currentView.publicKey,
    safetyCode: currentView.safetyCode,
    state: current.state,
    generation: current.generation,
    ageDays: ageDays(identity, now),
    rotateEveryDays: identity.rotateEveryDays,
    dueAt: due ? due.toISOString() : null,
    due: dueState(due, now),
    pending: pending ? generations[identity.generations.indexOf(pending)]! : null,
    generations,
  };
}
