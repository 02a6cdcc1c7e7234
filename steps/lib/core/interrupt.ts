/**
 * Ctrl-C while a request that changes something is on its way: the server may carry it out though
 * the step never learns it did. Node's default is to die without a word; here the step first says
 * what may now exist and what to do, then exits with 130, the code a shell gives a Ctrl-C.
 *
 * When something else already handles SIGINT (npm start has its own, which says what the whole
 * run leaves behind), it is left to that.
 *
 * @example
 * const answer = await sayIfInterrupted(() => [`SIGINT: ... may have created ${name}.`, `Next: ...`], () => api.createUser(user));
 */

/** Runs `body`; a SIGINT meanwhile prints `lines()` on stderr and exits with 130. */
export async function sayIfInterrupted<T>(lines: () => readonly string[], body: () => Promise<T>): Promise<T> {
  if (process.listenerCount('SIGINT') > 0) return body();
  const say = () => {
    process.stderr.write(
      lines()
        .map((line) => `${line}\n`)
        .join(''),
      () => process.exit(130),
    );
  };
  process.once('SIGINT', say);
  try {
    return await body();
  } finally {
    process.off('SIGINT', say);
  }
}
