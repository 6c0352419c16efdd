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
    // expect.poll's default of 1 s is shorter than a keychain write or a key generation takes on a
    // loaded CI machine (a pins test timed out there); the page's own waits are 10 s too.
    expect: { poll: { timeout: 10_000 } },
  },
});
