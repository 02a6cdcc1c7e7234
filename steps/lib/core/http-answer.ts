/**
 * Reading what a receiver answered, for the two places that send a delivery and show the answer:
 * the sandbox's attempts (its delivery log) and the listener's forwards to the user's app
 * (LISTEN_FORWARD_TO). Only the start of a body is kept, as Stripe's and Svix's logs do, and the
 * rest is never read into memory.
 *
 * @example
 * const { text, truncated } = await readAnswerStart(response.body); // the first 4 KiB, as UTF-8
 * describeNetworkError(error) // 'ECONNREFUSED connect ECONNREFUSED 127.0.0.1:8000'
 */

/** How much of an answer's body is kept. */
export const ANSWER_BODY_BYTES = 4096;
/** Past this, the rest of an answer is not read at all: the connection is dropped instead. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/** The first ANSWER_BODY_BYTES of `body` as UTF-8, reading (and dropping) at most DRAIN_LIMIT_BYTES. */
export function readAnswerStart(body: AsyncIterable<Uint8Array>): Promise<{ text: string; truncated: boolean }> {
  return readBodyStart(body, { keepBytes: ANSWER_BODY_BYTES, readBytes: DRAIN_LIMIT_BYTES });
}

/**
 * The first `keepBytes` of `body` as UTF-8 (`truncated` when there was more), reading at most
 * `readBytes` of it: past that the stream is left, which destroys it, and with it the connection.
 * A character cut at `keepBytes` ends the text as U+FFFD.
 */
export async function readBodyStart(
  body: AsyncIterable<Uint8Array>,
  { keepBytes, readBytes }: { keepBytes: number; readBytes: number },
): Promise<{ text: string; truncated: boolean }> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (keptBytes < keepBytes) {
      const part = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).subarray(0, keepBytes - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    if (total > readBytes) break;
  }
  return { text: Buffer.concat(kept).toString('utf8'), truncated: total > keptBytes };
}

/** Node-style response headers (a repeated one as an array) as name/value pairs. */
export function headerPairs(headers: Readonly<Record<string, string | string[] | undefined>>): [string, string][] {
  return Object.entries(headers).flatMap(([name, value]) =>
    value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((one): [string, string] => [name, one]),
  );
}

/** One short phrase for a request that got no answer: `ECONNREFUSED connect ECONNREFUSED 127.0.0.1:5000`. */
export function describeNetworkError(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code !== undefined && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}
