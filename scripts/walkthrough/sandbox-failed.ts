/**
 * `npm start` runs its sandbox inside its own process, so a step's hint for a sandbox that failed
 * ("its terminal shows why. Restart it with `npm run sandbox`") points at a terminal and a command
 * that are not part of the run. In the walkthrough the error itself says why (the sandbox's 500
 * quotes its detail: a full disk, say), and the fix is to run the walkthrough again.
 *
 * @example
 * log(withRunSandboxHint(formatError(error)));
 */
import { SANDBOX_FAILED_HINT } from '../../steps/lib/bracken/index.ts';

/** What to do when this run's own sandbox failed. */
export const RUN_SANDBOX_FAILED_HINT = "This run's sandbox could not do it; the error above says why. Fix that, then run npm start again.";

/** `errorText` (formatError's lines) with each step hint for a separate sandbox replaced by RUN_SANDBOX_FAILED_HINT. */
export function withRunSandboxHint(errorText: string): string {
  return errorText.replaceAll(`Next: ${SANDBOX_FAILED_HINT}`, `Next: ${RUN_SANDBOX_FAILED_HINT}`);
}
