import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // TF.js backends are process-global state; forks keep test files isolated.
    pool: 'forks',
    maxWorkers: 2,
  },
});
