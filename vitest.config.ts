import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time on the 2-core machines this runs on (the default leaves one core idle):
    // the tests assert the order of events, not timings, so they hold on a loaded machine.
    maxWorkers: 2,
    teardownTimeout: 15_000,
  },
});
