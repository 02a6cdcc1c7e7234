/** What a step or the walkthrough prints, kept for assertions or swallowed. */
import { Writable } from 'node:stream';

/** A `log` that keeps every line. */
export function captureLog(): { log: (line: string) => void; lines: string[]; text: () => string } {
  const lines: string[] = [];
  return { log: (line: string) => void lines.push(line), lines, text: () => lines.join('\n') };
}

/** A stream that swallows the progress indicator. */
export const quietStream = new Writable({ write: (_chunk, _enc, done) => done() });
