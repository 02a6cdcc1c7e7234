/** Asks a yes/no question on the terminal; with no terminal to ask on, the answer is no. */
import { createInterface } from 'node:readline/promises';

export async function confirm(question: string, input: NodeJS.ReadableStream = process.stdin): Promise<boolean> {
  if (!(input as { isTTY?: boolean }).isTTY) return false;
  const rl = createInterface({ input, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
