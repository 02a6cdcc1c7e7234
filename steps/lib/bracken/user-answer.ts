/**
 * The userkey in Bracken's answer to "create user". The answer's shape is not documented (the
 * compat API returns a MembershipModel with `user.userkey`; shared/bracken-api.md §1.4), so both
 * `{userkey}` and `{user: {userkey}}` are accepted, as a number or a string of digits.
 *
 * @example
 * userkeyFrom({ status: 200, text, data: { user: { userkey: 42 } } }, { method, url, username }) // 42
 */
import { API_BAD_RESPONSE, API_TIMEOUT, API_UNREACHABLE, ApiError, printable } from '../core/index.ts';
import type { ApiResult } from './api.ts';

export interface CreateCall {
  readonly method: string;
  readonly url: string;
  readonly username: string;
  /** Values the answer may echo that must not be printed (the password). */
  readonly secrets?: readonly string[];
}

/** The created user's userkey. Throws ApiError API_BAD_RESPONSE when the answer has none. */
export function userkeyFrom(answer: ApiResult, call: CreateCall): number {
  const data = answer.data as { userkey?: unknown; user?: { userkey?: unknown } } | null | undefined;
  const raw = isObject(data) ? (data.userkey ?? (isObject(data.user) ? data.user.userkey : undefined)) : undefined;
  const userkey = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof userkey === 'number' && Number.isSafeInteger(userkey) && userkey > 0) return userkey;
  // The answer may echo the password, so even the error shows it only through printable().
  const shown = printable(answer.data, call.secrets);
  throw new ApiError(
    API_BAD_RESPONSE,
    `${call.method} ${call.url} answered ${answer.status} but the answer has no userkey (looked for "userkey" and "user.userkey"): ${shown.slice(0, 300)}`,
    {
      status: answer.status,
      body: shown,
      method: call.method,
      url: call.url,
      hint: `Bracken probably created ${call.username}, but without its userkey step 6 cannot delete it: delete it in Bracken yourself, and report the answer's shape so the workbench can read it.`,
    },
  );
}

/**
 * `error` from a create call, with a hint that names `username` when Bracken may have created the
 * user though the step could not tell (no answer in time, an answer that broke off or was not
 * JSON): a second run of step 4 picks a new name, so that user would be left behind unnoticed.
 * A refused connection or an error status is returned as it is: nothing was created.
 */
export function noteUserMayExist(error: unknown, username: string): unknown {
  if (!(error instanceof ApiError)) return error;
  const uncertain = error.code === API_TIMEOUT || error.code === API_BAD_RESPONSE || (error.code === API_UNREACHABLE && error.status !== undefined);
  if (!uncertain) return error;
  const { status, body, method, url } = error;
  return new ApiError(error.code, error.message, {
    ...(status === undefined ? {} : { status }),
    ...(body === undefined ? {} : { body }),
    method,
    url,
    cause: error.cause,
    hint: `Bracken may have created ${username} anyway: look for it in Bracken and delete it there before you run step 4 again (it picks a new name). ${error.hint ?? ''}`.trim(),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
