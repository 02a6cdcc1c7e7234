/** Asks a yes/no question on the terminal; with no terminal to ask on, the answer is no. */
import { createInterface } from 'node:readline/promises';

export async function confirm(
  question: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Promise<boolean> {
  if (!(input as { isTTY?: boolean }).isTTY) return false;
  const rl = createInterface({ input, output });
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
