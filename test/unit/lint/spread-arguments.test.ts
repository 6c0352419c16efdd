// The rule against spreading a list into a call's arguments (eslint.config.js, no-restricted-syntax):
// past ~125,000 items such a call overflows the stack, and a fleet's lists get that long.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function refused(path: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').length;
}

describe('no list spread into call arguments', () => {
  it.each([
    ['src-main/core/lint-probe.ts', 'export function f(a: number[], b: number[]): number[] {\n  a.push(...b);\n  return a;\n}\n'],
    ['src-main/cli/lint-probe.ts', 'export const most = (xs: number[]): number => Math.max(...xs);\n'],
    ['src-renderer/lib/lint-probe.ts', 'export const least = (xs: number[]): number => Math.min(0, ...xs);\n'],
  ])('refuses it in %s', async (path, code) => {
    expect(await refused(path, code)).toBe(1);
  });

  it('allows concat, loops and array literals', async () => {
    const code = 'export function f(a: number[], b: number[]): number[] {\n  const c = [...a, ...b];\n  for (const x of b) a.push(x);\n  return a.concat(c);\n}\n';
    expect(await refused('src-main/core/lint-probe.ts', code)).toBe(0);
  });
});
