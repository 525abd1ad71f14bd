import { defineConfig } from 'vitest/config';

/**
 * One run for the whole workspace (the console's own tests run under its Vite config). Real servers
 * (PostgreSQL, redis-server) are started once by the global setup and handed to tests with inject().
 */
export default defineConfig({
  test: {
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'services', include: ['services/*/src/**/*.test.ts', 'evals/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'] } },
    ],
  },
});
