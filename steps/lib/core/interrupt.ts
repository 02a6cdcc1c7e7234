/**
 * Ctrl-C (or a SIGTERM) while a request that changes something is on its way: the server may carry
 * it out though the step never learns it did. Node's default is to die without a word; here the
 * step first says what may now exist and what to do, then exits with 130 (SIGINT) or 143 (SIGTERM),
 * the codes a shell gives them.
 *
 * When something else already handles the signal (npm start has its own, which says what the whole
 * run leaves behind), it is left to that, which says these lines too through `underWayLines`.
 *
 * @example
 * const answer = await sayIfInterrupted((signal) => [`${signal}: ... may have created ${name}.`, `Next: ...`], () => api.createUser(user));
 */
import { constants } from 'node:os';

/** What a stop now would leave unknown, one function per request under way. */
type UnderWay = (signal: NodeJS.Signals) => readonly string[];

const underWay = new Set<UnderWay>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Runs `body`; a SIGINT or SIGTERM meanwhile prints `lines(signal)` on stderr and exits with 130 or 143. */
export async function sayIfInterrupted<T>(lines: UnderWay, body: () => Promise<T>): Promise<T> {
  underWay.add(lines);
  const mine = SIGNALS.filter((signal) => process.listenerCount(signal) === 0);
  const say = (signal: NodeJS.Signals) => {
    process.stderr.write(
      lines(signal)
        .map((line) => `${line}\n`)
        .join(''),
      () => process.exit(signalExitCode(signal)),
    );
  };
  for (const signal of mine) process.once(signal, say);
  try {
    return await body();
  } finally {
    underWay.delete(lines);
    for (const signal of mine) process.off(signal, say);
  }
}

/** The lines of every request under way now, for a signal handler of its own (npm start's). */
export function underWayLines(signal: NodeJS.Signals): string[] {
  return [...underWay].flatMap((lines) => lines(signal));
}

/** 128 + the signal's number, as a shell reports a process the signal ended: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
