/**
 * Reading a Bracken answer's body with a size limit. Bracken's answers are a few KiB of JSON; a
 * misbehaving server (or a proxy's download page) could send megabytes, and `response.text()`
 * would hold them all in memory, then print and cache them. Past the limit the rest is not read:
 * the stream is cancelled, which drops the connection.
 *
 * @example
 * const { text, truncated } = await readAnswerText(response); // at most MAX_ANSWER_BYTES, as UTF-8
 */
import { readBodyStart } from '../core/index.ts';

/** The most of an answer's body that is read. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** The body of `response` as UTF-8, cut at `limit` bytes (`truncated` then says so). */
export async function readAnswerText(response: Response, limit = MAX_ANSWER_BYTES): Promise<{ text: string; truncated: boolean }> {
  if (response.body === null) return { text: '', truncated: false };
  return readBodyStart(response.body, { keepBytes: limit, readBytes: limit });
}
