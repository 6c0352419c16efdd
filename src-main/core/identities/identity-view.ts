// What the app and the CLI show of an identity: public material, state and due dates only.
import type { PublicKey } from '../curve/keys.js';
import { safetyCode, type SafetyCode } from '../curve/safety-code.js';
import type { Identity, KeyGeneration, KeyState, LinkTestRecord, Role } from '../store/document.js';
import { currentGeneration, keyDates } from '../rotation/policy.js';
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
  // Called for every identity of a list (5,000 in `keys list`): one pass over the generations,
  // the current one found and its date parsed once.
  const current = currentGeneration(identity);
  let currentView: GenerationView | undefined;
  let pending: GenerationView | null = null;
  const generations = identity.generations.map((g) => {
    const view = generationView(g);
    if (g === current) currentView = view;
    if (g.state === 'pending' && pending === null) pending = view;
    return view;
  });
  const { dueAt, ageDays } = keyDates(identity, current, now);
  return {
    id: identity.id,
    name: identity.name,
    role: identity.role,
    tags: identity.tags,
    endpoints: identity.endpoints,
    createdAt: identity.createdAt,
    publicKey: currentView!.publicKey,
    safetyCode: currentView!.safetyCode,
    state: current.state,
    generation: current.generation,
    ageDays,
    rotateEveryDays: identity.rotateEveryDays,
    dueAt: dueAt ? dueAt.toISOString() : null,
    due: dueState(dueAt, now),
    pending,
    generations,
  };
}
