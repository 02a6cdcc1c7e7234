/**
 * `npm start`'s own sandbox failing (its 500 on a full disk): the steps' hint for a separate sandbox
 * ("its terminal shows why. Restart it with `npm run sandbox`") names a terminal and a command that
 * are not part of the run; the walkthrough says what to do in its place.
 */
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, test } from 'vitest';
import { RUN_SANDBOX_FAILED_HINT, withRunSandboxHint } from '../../scripts/walkthrough/sandbox-failed.ts';
import { SANDBOX_FAILED_HINT } from '../../steps/lib/bracken/index.ts';
import { API_SERVER_ERROR, API_FORBIDDEN, ApiError } from '../../steps/lib/core/errors.ts';
import { formatError } from '../../steps/lib/core/run-step.ts';

const FULL =
  'PUT http://127.0.0.1:40000/api/webhook/merge/domain/15435/event/user_create answered 500 Internal Server Error: Cannot write …: the disk is full (ENOSPC).';

describe("npm start's hint for its own sandbox failing", () => {
  test('replaces the hint for a separate sandbox, in one error and in several', () => {
    const failed = new ApiError(API_SERVER_ERROR, FULL, { method: 'PUT', url: 'http://127.0.0.1:40000/api', hint: SANDBOX_FAILED_HINT });
    expect(stripVTControlCharacters(withRunSandboxHint(formatError(failed))).split('\n')).toEqual([
      `Error: ${FULL} [${API_SERVER_ERROR}]`,
      `Next: ${RUN_SANDBOX_FAILED_HINT}`,
    ]);
    const several = new AggregateError([
      failed,
      new ApiError(API_SERVER_ERROR, 'DELETE … answered 500', { method: 'PUT', url: 'http://127.0.0.1:40000/api', hint: SANDBOX_FAILED_HINT }),
    ]);
    const text = withRunSandboxHint(formatError(several));
    expect(text).not.toContain('npm run sandbox');
    expect(text).toContain(`Next: ${RUN_SANDBOX_FAILED_HINT}`);
  });

  test('leaves every other hint as it is', () => {
    const refused = new ApiError(API_FORBIDDEN, 'PUT … answered 403', {
      method: 'PUT',
      url: 'http://127.0.0.1:40000/api',
      hint: 'Client demo may not do this.',
    });
    expect(withRunSandboxHint(formatError(refused))).toBe(formatError(refused));
  });
});
