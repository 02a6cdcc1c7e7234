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
    // One worker per core. Vitest's default is one fewer (a single worker on 2 cores), but most files
    // spend their time waiting on sockets, disks and child processes, so two side by side take about
    // half the time of one (measured: 165 s → 89 s on this 2-core machine under the same load).
    maxWorkers: '100%',
    // Files share their worker's modules instead of importing vitest, nock and the library again for
    // each of the ~50 files (a third of the suite's CPU). It is safe because no test stubs a global or
    // the environment or fakes timers, the one module mock (record.test.ts plants step 4's password)
    // is made for a fresh import of the walkthrough and taken out after it, and test/setup.ts (nock's
    // rules, the file clean-ups) still runs before every file.
    isolate: false,
  },
});
