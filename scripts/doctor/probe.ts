/**
 * One timed GET of a Bracken base URL: whether anything answers there (any status counts), how
 * long it took, and the server's `Date` header (the clock skew check). Never follows a redirect
 * off the host, never reads a body beyond the answer.
 *
 * @example
 * const probe = await probeUrl('https://identity.brackenlearning.com', 3000);
 * probe.ok ? probe.status : probe.error // 200 | 'connect ECONNREFUSED 127.0.0.1:4010'
 */
export type Probe =
  | {
      readonly ok: true;
      readonly url: string;
      readonly status: number;
      readonly ms: number;
      readonly date: string | null;
      readonly sentAt: number;
      readonly receivedAt: number;
    }
  /** `timedOut`: something took the connection but did not answer in time (a stuck or busy server), rather than nothing being there. */
  | { readonly ok: false; readonly url: string; readonly ms: number; readonly error: string; readonly timedOut: boolean };

export async function probeUrl(url: string, timeoutMs: number, now: () => number = Date.now): Promise<Probe> {
  const sentAt = now();
  try {
    const answer = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await answer.body?.cancel();
    const receivedAt = now();
    return { ok: true, url, status: answer.status, ms: receivedAt - sentAt, date: answer.headers.get('date'), sentAt, receivedAt };
  } catch (error) {
    return { ok: false, url, ms: now() - sentAt, error: networkReason(error, timeoutMs), timedOut: isTimeout(error) };
  }
}

/** Why a fetch failed, in the words of the layer that failed (undici hides it in `cause`). */
export function networkReason(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
