/**
 * The bench's own error codes. They live here, not in steps/lib/core/errors.ts, because only the
 * bench raises them; the class is still a WorkbenchError so `formatError` prints code and hint.
 */
import { WorkbenchError } from '../../steps/lib/core/index.ts';

/** BenchError: a child process (receiver, load generator, step, walkthrough) failed or exited early. */
export const BENCH_CHILD_FAILED = 'WORKBENCH_BENCH_CHILD_FAILED';
/** BenchError: a child or a measurement did not finish within its time limit. */
export const BENCH_TIMEOUT = 'WORKBENCH_BENCH_TIMEOUT';
/** BenchError: a command-line option is unknown or malformed. */
export const BENCH_BAD_OPTION = 'WORKBENCH_BENCH_BAD_OPTION';

/** BenchError: the run was interrupted (Ctrl-C); nothing was written. */
export const BENCH_INTERRUPTED = 'WORKBENCH_BENCH_INTERRUPTED';

/** A benchmark could not run or could not be trusted. */
export class BenchError extends WorkbenchError {}
