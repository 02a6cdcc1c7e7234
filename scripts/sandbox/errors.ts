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
/** SandboxError: `npm run sandbox -- deliveries` found no sandbox running at the configured address. */
export const SANDBOX_NOT_RUNNING = 'WORKBENCH_SANDBOX_NOT_RUNNING';
/** SandboxError: the running sandbox refused a resend or cancel (unknown id, not pending...); the message says why. */
export const SANDBOX_ACTION_REFUSED = 'WORKBENCH_SANDBOX_ACTION_REFUSED';
/** SandboxError: the running sandbox took the connection but did not answer within HTTP_TIMEOUT_MS (busy, not gone). */
export const SANDBOX_TIMEOUT = 'WORKBENCH_SANDBOX_TIMEOUT';
/** `npm run sandbox` was given a wrong command line (an unknown command or option, a --port that is no port): printed with the usage, exit 2. */
export const SANDBOX_USAGE_ERROR = 'WORKBENCH_SANDBOX_USAGE';
export type SandboxErrorCode =
  | typeof SANDBOX_USAGE_ERROR
  | typeof SANDBOX_PORT_IN_USE
  | typeof SANDBOX_FAILED
  | typeof SANDBOX_NOT_RUNNING
  | typeof SANDBOX_ACTION_REFUSED
  | typeof SANDBOX_TIMEOUT;

/** The local Bracken sandbox (scripts/sandbox) could not start or run. */
export class SandboxError extends WorkbenchError<SandboxErrorCode> {}

/** Why a resend or cancel cannot be done: the HTTP status and `{error, code}` the delivery log answers with. */
export class DeliveryActionError extends Error {
  readonly status: 404 | 409;
  readonly code: 'unknown_delivery' | 'not_pending' | 'in_flight';

  constructor(status: DeliveryActionError['status'], code: DeliveryActionError['code'], message: string) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
  }
}
