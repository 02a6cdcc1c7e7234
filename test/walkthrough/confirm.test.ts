/**
 * npm start's question before it creates a user in the real Bracken, on a terminal. Ctrl-C at the
 * question is a no (the walkthrough then stops with its coded error), never an uncaught AbortError.
 */
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { confirm } from '../../scripts/walkthrough/confirm.ts';

/** A stream that says it is a terminal, as process.stdin and stdout do in a shell. */
function terminal(): PassThrough {
  return Object.assign(new PassThrough(), { isTTY: true });
}

test.each([
  ['y and Enter', 'y\r', true],
  ['Enter alone', '\r', false],
  ['Ctrl-C', '\x03', false],
])('%s at the question: %s', async (_label, keys, answer) => {
  const input = terminal();
  const output = terminal();
  output.resume();
  const asked = confirm('Create a test user? [y/N] ', input, output);
  input.write(keys);
  expect(await asked).toBe(answer);
});

test('stdout not a terminal (npm start > run.log): the question is asked on stderr, the terminal, not into the file', async () => {
  const input = terminal();
  const file = new PassThrough();
  const stderr = terminal();
  let onFile = '';
  let onStderr = '';
  file.on('data', (chunk: Buffer) => (onFile += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (onStderr += chunk.toString('utf8')));
  const asked = confirm('Create a test user? [y/N] ', input, file, stderr);
  input.write('y\r');
  expect(await asked).toBe(true);
  expect(onStderr).toContain('Create a test user? [y/N] ');
  expect(onFile).toBe('');
});
