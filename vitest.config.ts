import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles runes in `.svelte.ts` modules (the renderer's state classes, tested without a DOM).
  plugins: [svelte({ compilerOptions: { runes: true } })],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests share one keychain and run real servers; two workers fit this 2-core machine.
    maxWorkers: 2,
    // expect.poll's default of 1 s is too short for a loaded CI machine; a poll ends as soon as it holds.
    expect: { poll: { timeout: 10_000 } },
  },
});
