import { defineConfig } from 'vitest/config';

// End-to-end tests: the built renderer in Chromium through the browser bridge (see
// test/e2e/harness.ts). Each file starts its own bridge and browser; two at a time fit this machine.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    setupFiles: ['test/e2e/on-failure.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
