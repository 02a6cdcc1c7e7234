/** Runs `promise` and returns what it threw (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; hint?: string };
  }
  throw new Error('expected a rejection, but the promise resolved');
}
