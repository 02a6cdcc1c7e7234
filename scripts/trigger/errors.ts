/**
 * `npm run trigger`'s own error codes, kept beside it like the sandbox's (scripts/sandbox/errors.ts):
 * only the trigger raises them. The class is a WorkbenchError, so `formatError` prints the code and
 * a `Next:` line.
 */
import { WorkbenchError } from '../../steps/lib/core/index.ts';

/** TriggerError: no sandbox answers at the configured URL, or the workbench is set up for the real Bracken. */
export const TRIGGER_NO_SANDBOX = 'WORKBENCH_TRIGGER_NO_SANDBOX';
/** TriggerError: the sandbox took the request but did not answer within HTTP_TIMEOUT_MS (busy or stuck). */
export const TRIGGER_TIMEOUT = 'WORKBENCH_TRIGGER_TIMEOUT';
/** TriggerError: the sandbox has no active subscription to the event, so nothing would be delivered. */
export const TRIGGER_NOT_SUBSCRIBED = 'WORKBENCH_TRIGGER_NOT_SUBSCRIBED';
/** TriggerError: the sandbox refused a request (an unknown --module or --course, a certificate that never expires...). */
export const TRIGGER_REFUSED = 'WORKBENCH_TRIGGER_REFUSED';
/** TriggerError: the command line is wrong (an unknown event, a --module that is not a number). Exit code 2. */
export const TRIGGER_USAGE = 'WORKBENCH_TRIGGER_USAGE';
export type TriggerErrorCode =
  | typeof TRIGGER_NO_SANDBOX
  | typeof TRIGGER_TIMEOUT
  | typeof TRIGGER_NOT_SUBSCRIBED
  | typeof TRIGGER_REFUSED
  | typeof TRIGGER_USAGE;

/** `npm run trigger` could not fire the event. */
export class TriggerError extends WorkbenchError<TriggerErrorCode> {}
