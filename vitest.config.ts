import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles dist/ first: the CLI, worker and child-process tests run it (test/support/buildDist.ts).
    globalSetup: ['test/support/buildDist.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
