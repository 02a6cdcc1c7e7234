/**
 * Asks a yes/no question on the terminal; with no terminal to ask on, the answer is no. The
 * question goes where the user sees it: stdout, or stderr when stdout is not a terminal
 * (`npm start > run.log` would otherwise hide it in the file and wait for an answer to nothing).
 */
import { createInterface } from 'node:readline/promises';

export async function confirm(
  question: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
  shown: NodeJS.WritableStream = process.stderr,
): Promise<boolean> {
  if (!isTerminal(input)) return false;
  const rl = createInterface({ input, output: isTerminal(output) || !isTerminal(shown) ? output : shown });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } catch (error) {
    // Ctrl-C at the question: readline rejects with an AbortError, which means no.
    if (error instanceof Error && error.name === 'AbortError') return false;
    throw error;
  } finally {
    rl.close();
  }
}

function isTerminal(stream: NodeJS.ReadableStream | NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
