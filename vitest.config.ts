import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/support/global-setup.ts'],
    projects: ['services/*', 'evals', 'test'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
