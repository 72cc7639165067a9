import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // TF.js backends are process-global state; forks keep test files isolated.
    pool: 'forks',
    maxWorkers: 2,
    // Two forks already fill the two cores; wasm threads inside each would only contend.
    env: { GLASSBOX_THREADS: '1' },
  },
});
