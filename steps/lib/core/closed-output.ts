/**
 * `npm start | head -1`: once head has its line it closes the pipe, and the next write to stdout
 * fails with EPIPE. Node reports that as an unhandled 'error' event: a stack trace, and the process
 * dies wherever it was, perhaps after creating a test user in Bracken and before recording it or
 * deleting it again. Here a closed output only stops the output: the run goes on to its end (and
 * its clean-up), and its exit code stands.
 *
 * @example
 * keepRunningWhenOutputCloses(); // before the first line of a script that changes something
 */

const kept = new WeakSet<NodeJS.WritableStream>();

/** Lets writes to a closed `streams` (stdout, stderr by default) fail quietly instead of killing the process. */
export function keepRunningWhenOutputCloses(streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (kept.has(stream)) continue;
    kept.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Only a reader that went away; any other failure is still the crash it was.
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}
