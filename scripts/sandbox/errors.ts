/**
 * The sandbox's own error codes. They live here, not in steps/lib/core/errors.ts, because only the
 * sandbox raises them (the library knows no sandbox); the class is still a WorkbenchError so
 * `formatError` prints code and hint.
 */
import { WorkbenchError } from '../../steps/lib/core/index.ts';

/** SandboxError: the sandbox's port is taken (another sandbox, or another program). */
export const SANDBOX_PORT_IN_USE = 'WORKBENCH_SANDBOX_PORT_IN_USE';
/** SandboxError: the sandbox could not start or stop (bind failure, store not writable). */
export const SANDBOX_FAILED = 'WORKBENCH_SANDBOX_FAILED';
export type SandboxErrorCode = typeof SANDBOX_PORT_IN_USE | typeof SANDBOX_FAILED;

/** The local Bracken sandbox (scripts/sandbox) could not start or run. */
export class SandboxError extends WorkbenchError<SandboxErrorCode> {}
