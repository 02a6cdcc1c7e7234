/**
 * Small pure helpers the listener uses to describe a request: its id, its dedupe key, the event
 * name in its payload, and the one log line printed for it.
 */
import { isUtf8 } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import type { DeliveryRecord } from '../delivery/index.ts';
import { redact } from '../core/index.ts';
import { type Headers, headerValue } from '../signature/index.ts';

// Random per process, so ids from a restarted listener never collide with the journal's; a counter
// within the process, so no CSPRNG call per request (it showed at 2.5% of CPU under load).
const PROCESS_NONCE = randomBytes(4).toString('hex');
let counter = 0;

/** `<ms since epoch, base36>-<process nonce hex><counter base36>`: unique, and sorts by arrival. */
export function newDeliveryId(now = Date.now()): string {
  counter += 1;
  return `${now.toString(36)}-${PROCESS_NONCE}${counter.toString(36).padStart(6, '0')}`;
}

/**
 * What makes two requests "the same delivery sent again": the `webhook-id` header when the scheme
 * signs it (Standard Webhooks), otherwise the SHA-256 of the exact body. For any other scheme the
 * header is not signed, so trusting it would let anyone replay a captured delivery as "new" by
 * changing it. Bracken sends no id header that we know of, and its payload carries a timestamp,
 * so equal bodies mean a retry.
 */
export function dedupeKeyOf(headers: Headers, body: Uint8Array, scheme: string): string {
  const id = scheme === 'standard-webhooks' ? headerValue(headers, 'webhook-id')?.trim() : undefined;
  return id !== undefined && id !== '' ? `webhook-id:${id}` : `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

const EVENT_KEYS = ['eventname', 'event', 'type'];

/**
 * The event name in a parsed payload: `eventname` (Bracken's naming), else `event`, else `type`,
 * matching keys case-insensitively (a .NET sender may write `EventName`).
 */
export function eventNameOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const entries = Object.entries(payload);
  for (const wanted of EVENT_KEYS) {
    const found = entries.find(([key, value]) => key.toLowerCase() === wanted && typeof value === 'string' && value !== '');
    if (found !== undefined) return found[1] as string;
  }
  return undefined;
}

/**
 * The header that carries the signature, for the log: the scheme's own header when it names one,
 * else Authorization, else any `*signature*` header.
 */
export function signatureHeaderOf(headers: Headers, schemeHeader?: string): string | undefined {
  if (schemeHeader !== undefined) return headerValue(headers, schemeHeader);
  const authorization = headerValue(headers, 'authorization');
  if (authorization !== undefined) return authorization;
  const name = Object.keys(headers).find((key) => key.includes('signature'));
  return name === undefined ? undefined : headerValue(headers, name);
}

/** A signature for printing: the scheme word, then enough of the value to tell two apart. */
export function shortSignature(value: string | undefined): string {
  if (value === undefined) return 'sig (none)';
  const [word, rest] = value.includes(' ') ? [value.slice(0, value.indexOf(' ')), value.slice(value.indexOf(' ') + 1)] : ['', value];
  const printable = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');
  return `sig ${word === '' ? '' : `${printable(word.slice(0, 16))} `}${redact(printable(rest.trim()), 6)}`;
}

/** `<time> POST /webhooks 200 valid ok User_Create 3ms sig HMACSHA256 abcdef…(44 chars)`, plus the reason when refused. */
export function formatLogLine(record: DeliveryRecord, ackMs: number, signature: string | undefined): string {
  const url = record.url.length > 80 ? `${record.url.slice(0, 77)}...` : record.url;
  const parts = [
    record.receivedAt,
    record.method || '-',
    url.replace(/[^\x20-\x7e]/g, '?') || '-',
    String(record.status),
    record.verdict,
    record.code,
    record.event ?? '-',
    `${Math.round(ackMs)}ms`,
    shortSignature(signature),
  ];
  const line = record.code === 'ok' ? parts.join(' ') : `${parts.join(' ')} — ${record.reason}`;
  // Event names and JSON error messages come from the request: no terminal control bytes in the log.
  return line.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * The JSON in a body: UTF-8 only (throws TypeError otherwise), a leading byte order mark ignored
 * as RFC 8259 §8.1 allows, SyntaxError for anything JSON.parse refuses.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw new TypeError('it is not valid UTF-8');
  const text = body.toString('utf8');
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
