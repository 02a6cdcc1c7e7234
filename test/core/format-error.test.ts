/**
 * formatError: what a step prints when it fails. Step 6 throws an AggregateError when several of its
 * clean-up requests failed: each gets its Error line, and a Next line shared by several is said once.
 */
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { expect, test } from 'vitest';
import { API_SERVER_ERROR, ApiError, STEP_PRECONDITION, StepError } from '../../steps/lib/core/errors.ts';
import { formatError } from '../../steps/lib/core/run-step.ts';

const serverError = (url: string) =>
  new ApiError(API_SERVER_ERROR, `PUT ${url} answered 500 Internal Server Error: down`, { method: 'PUT', url, status: 500, hint: 'Try again in a moment.' });

test('one WorkbenchError: its Error line with the code, then its Next line', () => {
  expect(stripVTControlCharacters(formatError(new StepError(STEP_PRECONDITION, 'No user.', { hint: 'Run step 4.' })))).toBe(
    'Error: No user. [WORKBENCH_STEP_PRECONDITION]\nNext: Run step 4.',
  );
});

test('an AggregateError of WorkbenchErrors: an Error line for each, in order, and a shared Next line once', () => {
  const errors = [serverError('https://api.test/a'), new StepError(STEP_PRECONDITION, 'No user.', { hint: 'Run step 4.' }), serverError('https://api.test/b')];
  expect(stripVTControlCharacters(formatError(new AggregateError(errors, '3 failed'))).split('\n')).toEqual([
    'Error: PUT https://api.test/a answered 500 Internal Server Error: down [WORKBENCH_API_SERVER_ERROR]',
    'Next: Try again in a moment.',
    'Error: No user. [WORKBENCH_STEP_PRECONDITION]',
    'Next: Run step 4.',
    'Error: PUT https://api.test/b answered 500 Internal Server Error: down [WORKBENCH_API_SERVER_ERROR]',
  ]);
});

test('an AggregateError holding anything else is an unexpected error, with its stack', () => {
  const text = stripVTControlCharacters(formatError(new AggregateError([new Error('boom')], 'mixed')));
  expect(text).toMatch(/^Unexpected error: AggregateError: mixed\n {4}at /);
});

/** A stream that says it is a colour terminal, or a pipe: what styleText asks of the stream the lines go to. */
function stream(isTTY: boolean): NodeJS.WritableStream {
  return Object.assign(new PassThrough(), { isTTY, getColorDepth: () => (isTTY ? 8 : 1), hasColors: () => isTTY });
}

// NO_COLOR / FORCE_COLOR decide for every stream alike: this test is about the stream itself.
const colourSetByEnv = process.env.NO_COLOR !== undefined || process.env.FORCE_COLOR !== undefined;

test.skipIf(colourSetByEnv)('coloured as the stream it is written to takes colour, not as stdout does (`2> err.log` gets no escape codes)', () => {
  const error = new StepError(STEP_PRECONDITION, 'No user.', { hint: 'Run step 4.' });
  expect(formatError(error, stream(true))).toBe('\u001b[31mError:\u001b[39m No user. [WORKBENCH_STEP_PRECONDITION]\nNext: Run step 4.');
  expect(formatError(error, stream(false))).toBe('Error: No user. [WORKBENCH_STEP_PRECONDITION]\nNext: Run step 4.');
  expect(formatError(new Error('boom'), stream(true)).startsWith('\u001b[31mUnexpected error:\u001b[39m Error: boom\n')).toBe(true);
});
