import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // One throwaway PostgreSQL server per run for the store tests (each file makes its own database).
    globalSetup: ['test/postgres-setup.ts'],
    // Servers, child processes and the browser need more than the 5 s default on a loaded 2-core CI.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
