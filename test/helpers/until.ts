/** Polls `check` every 20 ms until it returns true; after `timeoutMs`, if given, fails (else the test's timeout bounds the wait). */
export async function until(check: () => boolean, timeoutMs?: number): Promise<void> {
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
