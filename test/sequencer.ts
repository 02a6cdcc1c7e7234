/**
 * The order the test files start in. With vitest's record of the last run (node_modules/.vite/vitest/),
 * vitest's own order is best: the longest first, so the two workers finish together. On a clean clone
 * (CI) it has none and starts the largest files first, which leaves the slow but small files (process
 * starts, Postgres servers) for the end, where one worker runs on alone. Then the files below, the
 * slowest of a measured run, start first, in this order; the rest follow in vitest's order.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The slowest files of two runs on 2 cores (measured 2026-11-30, load average ~5), slowest first; relative to the project root. */
export const SLOWEST_FIRST = [
  'test/bench/bench-smoke.test.ts',
  'test/store/postgres-failures.test.ts',
  'test/store/postgres-kill.test.ts',
  'test/sandbox/deliveries-cli.test.ts',
  'test/e2e/steps-as-processes.test.ts',
  'test/forward/forward-e2e.test.ts',
  'test/sandbox/delivery-log.test.ts',
  'test/verify-cli/verify-cli.test.ts',
  'test/store/postgres-wrong-url.test.ts',
  'test/e2e/every-event.test.ts',
  'test/forward/forward-cli.test.ts',
  'test/trigger/trigger.test.ts',
  'test/forward/forward-postgres.test.ts',
  'test/store/postgres-scale.test.ts',
];

export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const path = (file: TestSpecification) => file.moduleId.slice(root.length).replace(/^\//, '');
    if (files.every((file) => this.ctx.cache.getFileTestResults(`${file.project.name}:${path(file)}`) !== undefined)) return sorted;
    const rank = (file: TestSpecification) => {
      const at = SLOWEST_FIRST.indexOf(path(file));
      return at === -1 ? SLOWEST_FIRST.length : at;
    };
    // Array.prototype.sort is stable: the unlisted files keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
