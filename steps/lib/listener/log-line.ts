/**
 * The one line the listener prints for every request it answers, with the signature shortened
 * so it can be told apart from another without being printed in full.
 *
 * @example
 * formatLogLine(record, 3, signatureHeaderOf(req.headers))
 * // '2026-11-22T11:09:53.243Z POST /webhooks 200 valid ok User_Create 3ms sig HMACSHA256 6QNQRw…(44 chars)'
 */
import { redact } from '../core/index.ts';
import type { DeliveryRecord } from '../delivery/index.ts';
import { type Headers, headerValue } from '../signature/index.ts';

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

/** `<time> POST /webhooks 200 valid ok User_Create 3ms sig HMACSHA256 abcdef…(44 chars)`, plus the reason when refused. */
export function formatLogLine(record: DeliveryRecord, ackMs: number, signature: string | undefined): string {
  const url = record.url.length > 80 ? `${record.url.slice(0, 77)}...` : record.url;
  const parts = [
    record.receivedAt,
    record.method || '-',
    asciiOnly(url) || '-',
    String(record.status),
    record.verdict,
    record.code,
    record.event ?? '-',
    `${Math.round(ackMs)}ms`,
    shortSignature(signature),
  ];
  const line = record.code === 'ok' ? parts.join(' ') : `${parts.join(' ')} — ${record.reason}`;
  // Event names and JSON error messages come from the request: no terminal control bytes in the log.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this line's whole job
  return line.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** A signature for printing: the scheme word, then enough of the value to tell two apart. */
function shortSignature(value: string | undefined): string {
  if (value === undefined) return 'sig (none)';
  const [word, rest] = value.includes(' ') ? [value.slice(0, value.indexOf(' ')), value.slice(value.indexOf(' ') + 1)] : ['', value];
  return `sig ${word === '' ? '' : `${asciiOnly(word.slice(0, 16))} `}${redact(asciiOnly(rest.trim()), 6)}`;
}

/** `text` with anything but printable ASCII shown as `?`. */
function asciiOnly(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
