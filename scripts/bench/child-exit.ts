/**
 * How every bench child process ends: close what it runs, once, then exit. On `{type:'stop'}` (the
 * child's message handler calls the returned function), on SIGTERM, or when the parent goes away.
 *
 * @example
 * let running: RunningReceiver | undefined;
 * const stop = exitWhenStopped(() => running);
 * process.on('message', (m) => m.type === 'stop' && void stop(0));
 */
export function exitWhenStopped(running: () => { close(): Promise<void> } | undefined): (code: number) => Promise<void> {
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await running()?.close();
    } finally {
      // exit() rather than waiting for the loop to drain: a listener may keep timers alive.
      process.exit(code);
    }
  };
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  return stop;
}
