// Rules every channel of the contract keeps as areas are added: results are closed shapes (the
// dispatcher's strip on the way out only works for keys a schema does not name, so no result may
// accept arbitrary keys or values), nothing secret-looking is a value in a result, arguments refuse
// unknown keys, and anything that writes a secret needs `confirm: true`.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CHANNEL_NAMES, contract } from '../../../src-main/ipc/contract.js';
import { handlerTable } from '../../../src-main/ipc/handlers/table.js';

type Def = { type: string; [key: string]: unknown };
const def = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Paths in a schema where a value of any shape could pass, and secret-named fields that are not yes/no. */
function openings(schema: z.ZodType, path: string, found: string[], seen = new Set<unknown>()): string[] {
  if (seen.has(schema)) return found;
  seen.add(schema);
  const d = def(schema);
  const walk = (child: unknown, at: string) => openings(child as z.ZodType, at, found, seen);
  switch (d.type) {
    case 'any':
    case 'unknown':
    case 'custom':
      found.push(`${path}: ${d.type}`);
      break;
    case 'object': {
      const catchall = d.catchall as z.ZodType | undefined;
      if (catchall && def(catchall).type !== 'never') found.push(`${path}: an object that keeps unknown keys`);
      for (const [key, value] of Object.entries(d.shape as Record<string, z.ZodType>)) {
        if (/secret|private|password|seal/i.test(key) && !isYesNoOrCount(value)) found.push(`${path}.${key}: a secret-named value`);
        walk(value, `${path}.${key}`);
      }
      break;
    }
    case 'record':
      found.push(`${path}: a record (any keys)`);
      walk(d.valueType, `${path}[key]`);
      break;
    case 'map':
      found.push(`${path}: a map (any keys)`);
      walk(d.valueType, `${path}[key]`);
      break;
    case 'array':
      walk(d.element, `${path}[]`);
      break;
    case 'tuple':
      (d.items as unknown[]).forEach((item, i) => walk(item, `${path}[${i}]`));
      if (d.rest) walk(d.rest, `${path}[...]`);
      break;
    case 'union':
      (d.options as unknown[]).forEach((option, i) => walk(option, `${path}|${i}`));
      break;
    case 'intersection':
      walk(d.left, path);
      walk(d.right, path);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      walk(d.innerType, path);
      break;
    case 'pipe':
      walk(d.in, path);
      walk(d.out, path);
      break;
    case 'lazy':
      walk((d.getter as () => unknown)(), path);
      break;
    default:
      break;
  }
  return found;
}

/** `secretIncluded: boolean` or `secretsRemoved: number` say something about a secret without holding one. */
function isYesNoOrCount(schema: z.ZodType): boolean {
  const d = def(schema);
  if (d.type === 'boolean' || d.type === 'number') return true;
  if (['optional', 'nullable', 'default'].includes(d.type)) return isYesNoOrCount(d.innerType as z.ZodType);
  return false;
}

/**
 * Openings that were looked at and stay, each with why. Anything new fails until it is reviewed.
 */
const REVIEWED = new Map<string, string>([
  [
    'audit.list result.entries[].details: a record (any keys)',
    // Audit details are written only by core services (ids, names, public keys, file names), the
    // log never holds a secret (ARCHITECTURE.md section 7), and the values are plain scalars.
    'reviewed: core-written audit details, scalar values',
  ],
]);

describe('the contract', () => {
  it('has a handler for every channel and no handler without a channel', () => {
    expect(Object.keys(handlerTable).sort()).toEqual([...CHANNEL_NAMES].sort());
  });

  it('names channels AREA.action', () => {
    for (const name of CHANNEL_NAMES) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
  });

  it.each(CHANNEL_NAMES)('%s: its result is a closed shape with nothing secret', (channel) => {
    const found = openings(contract[channel].result as z.ZodType, 'result', []).filter((o) => !REVIEWED.has(`${channel} ${o}`));
    expect(found).toEqual([]);
  });

  it.each(CHANNEL_NAMES)('%s: its arguments refuse unknown keys', (channel) => {
    const args = def(contract[channel].args);
    expect(args.type).toBe('object');
    expect(def(args.catchall).type).toBe('never');
  });

  it('asks for confirm: true on every channel that saves a secret or deletes one', () => {
    const risky = CHANNEL_NAMES.filter((name) => /secret|delete|remove/i.test(name));
    expect(risky).toContain('keys.saveSecret');
    expect(risky).toContain('keys.delete');
    for (const channel of risky) {
      const shape = def(contract[channel].args).shape as Record<string, z.ZodType>;
      expect(shape.confirm, channel).toBeDefined();
      expect(contract[channel].args.safeParse({ ...sample(shape), confirm: false }).success, channel).toBe(false);
    }
  });
});

/** Minimal valid-looking values for string fields, so that only `confirm` decides. */
function sample(shape: Record<string, z.ZodType>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(shape).map(([key, value]) => [key, def(value).type === 'string' ? 'x' : undefined]));
}
