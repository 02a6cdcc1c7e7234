/**
 * What makes two requests "the same delivery sent again". Every verified delivery has a dedupe
 * key; the store (steps/lib/store/) lets the first copy with a key claim it, and later copies are
 * stored as duplicates of it.
 *
 * @example
 * dedupeKeyOf(req.headers, body, 'bracken') // 'sha256:9f86d0…'
 */
import { createHash } from 'node:crypto';
import { type Headers, headerValue } from '../signature/index.ts';

/**
 * The `webhook-id` header when the scheme signs it (Standard Webhooks), otherwise the SHA-256 of
 * the exact body. For any other scheme the header is not signed, so trusting it would let anyone
 * replay a captured delivery as "new" by changing it. Bracken sends no id header that we know of,
 * and its payload carries a timestamp, so equal bodies mean a retry.
 */
export function dedupeKeyOf(headers: Headers, body: Uint8Array, scheme: string): string {
  const id = scheme === 'standard-webhooks' ? headerValue(headers, 'webhook-id')?.trim() : undefined;
  return id !== undefined && id !== '' ? `webhook-id:${id}` : `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
