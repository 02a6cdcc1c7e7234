/**
 * Clean-up that does all it can: every request is attempted even when an earlier one failed, so a
 * user delete that fails does not leave the subscriptions sending to a listener that is gone. Each
 * failure is kept and thrown at the end: one as it is (its code and Next line), several together.
 *
 * @example
 * const cleanup = cleanupAttempts();
 * const outcome = await cleanup.attempt(() => api.deleteUser(user), (answer) => log(`${answer.status}`));
 * if (typeof outcome === 'object') log(`User: not deleted ${failureNote(outcome)}`);
 * cleanup.throwFailures();
 */
import { TokenError, WorkbenchError } from '../core/index.ts';
import { doneOrGone, type GoneStatus } from './api.ts';

/** A request that did not succeed: `tried` is false when it was not sent because no token could be had. */
export interface CleanupFailure {
  readonly error: WorkbenchError;
  readonly tried: boolean;
}

/** `done`, already gone (its status), or a failure. */
export type CleanupOutcome = 'done' | GoneStatus | CleanupFailure;

export interface CleanupAttempts {
  /** Runs `request` through doneOrGone; a WorkbenchError does not escape, it becomes a CleanupFailure kept for throwFailures. */
  attempt<T>(request: () => Promise<T>, onDone: (answer: T) => void): Promise<CleanupOutcome>;
  /** Throws nothing when all went well, the one error when one failed, else an AggregateError of them all. */
  throwFailures(): void;
}

export function cleanupAttempts(): CleanupAttempts {
  const errors: WorkbenchError[] = [];
  // Every request needs the token: once it is refused (or the identity server is down), sending
  // the rest would only repeat that error, a timeout each, so they are reported as not tried.
  let noToken: TokenError | undefined;
  return {
    async attempt(request, onDone) {
      if (noToken !== undefined) return { error: noToken, tried: false };
      try {
        return await doneOrGone(request, onDone);
      } catch (error) {
        if (!(error instanceof WorkbenchError)) throw error;
        errors.push(error);
        if (error instanceof TokenError) noToken = error;
        return { error, tried: true };
      }
    },
    throwFailures() {
      const [first, ...more] = errors;
      if (first === undefined) return;
      if (more.length === 0) throw first;
      throw new AggregateError(errors, `${errors.length} clean-up requests failed: ${errors.map((e) => e.code).join(', ')}`);
    },
  };
}

/** Why a clean-up request did not succeed, for the end of its line: `[WORKBENCH_API_FORBIDDEN]`, or that it was not sent. */
export function failureNote(failure: CleanupFailure): string {
  return failure.tried ? `[${failure.error.code}]` : `(not sent: no access token) [${failure.error.code}]`;
}
