/**
 * A delivery as a row of `workbench.delivery` and back. The body is `bytea` (the exact bytes), the
 * raw header pairs `json` (kept exactly as received, in order). Text columns cannot hold a NUL
 * character, which an event name or a reason quoting the request could carry: those become U+FFFD
 * in the row (the exact bytes are still in the body).
 */
import type { DeliveryRecord, DeliveryView, ForwardAttempt, HandlerState, ListenerAnswer, Verdict } from '../../delivery/index.ts';
import { SCHEMA } from './migrations.ts';

/** The table, schema-qualified. */
export const DELIVERY_TABLE = `${SCHEMA}.delivery`;

/** The columns a view is read from, by name. */
const VIEW_COLUMN_NAMES: readonly string[] = [
  'id',
  'received_at',
  'received_by',
  'method',
  'url',
  'remote_address',
  'headers',
  'body',
  'body_bytes',
  'status',
  'verdict',
  'code',
  'reason',
  'scheme',
  'secret_index',
  'event',
  'ack_ms',
  'dedupe_key',
  'handler',
  'handler_error',
  'attempts',
  'response',
  'forward_attempts',
  'forward_recent',
];

/** The columns a view is read from. */
export const VIEW_COLUMNS = VIEW_COLUMN_NAMES.join(', ');

/**
 * VIEW_COLUMNS for a list: a body larger than `maxBytes` is not read (an empty one comes back
 * instead; body_bytes still says its size), so listing rows of many MiB does not transfer them.
 */
export function listedViewColumns(maxBytes: number): string {
  return viewColumnsWithBody(`CASE WHEN body_bytes <= ${byteCount(maxBytes)} THEN body ELSE ''::bytea END AS body`);
}

/**
 * VIEW_COLUMNS for a delivery's detail: only the body's first `maxBytes` are read, and how many it
 * has (`length` of a bytea reads only its header, not the value). A body that long stands for the
 * whole in a list; here it is a start, and `stored_body_bytes` tells the two apart.
 */
export function viewColumnsUpTo(maxBytes: number): string {
  return viewColumnsWithBody(`substring(body from 1 for ${byteCount(maxBytes)}) AS body, length(body) AS stored_body_bytes`);
}

function viewColumnsWithBody(body: string): string {
  return VIEW_COLUMN_NAMES.map((column) => (column === 'body' ? body : column)).join(', ');
}

/** A byte count as SQL: a whole number, 0 at least. */
function byteCount(bytes: number): number {
  return Math.max(0, Math.trunc(bytes));
}

export interface DeliveryRow {
  readonly id: string;
  readonly received_at: Date;
  readonly received_by: string;
  readonly method: string;
  readonly url: string;
  readonly remote_address: string | null;
  readonly headers: [string, string][];
  readonly body: Buffer;
  /** Read only with viewColumnsUpTo: the bytes stored, of which `body` may be the start. */
  readonly stored_body_bytes?: number;
  readonly body_bytes: number;
  readonly status: number;
  readonly verdict: Verdict;
  readonly code: string;
  readonly reason: string;
  readonly scheme: string;
  readonly secret_index: number | null;
  readonly event: string | null;
  readonly ack_ms: number;
  readonly dedupe_key: string | null;
  readonly handler: HandlerState;
  readonly handler_error: string | null;
  readonly attempts: number;
  readonly response: ListenerAnswer | null;
  readonly forward_attempts: number;
  readonly forward_recent: ForwardAttempt[];
}

/** The view the inspector, step 5 and the workers read. */
export function viewOf(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    receivedAt: row.received_at.toISOString(),
    method: row.method,
    url: row.url,
    remoteAddress: row.remote_address ?? undefined,
    headers: row.headers,
    body: row.body,
    bodyBytes: row.body_bytes,
    status: row.status,
    verdict: row.verdict,
    code: row.code,
    reason: row.reason,
    scheme: row.scheme,
    secretIndex: row.secret_index ?? undefined,
    event: row.event ?? undefined,
    ackMs: row.ack_ms,
    dedupeKey: row.dedupe_key ?? undefined,
    handler: row.handler,
    handlerError: row.handler_error ?? undefined,
    attempts: row.attempts,
    receivedBy: row.received_by,
    ...(row.response === null ? {} : { response: row.response }),
    ...(row.forward_attempts === 0 ? {} : { forward: { attempts: row.forward_attempts, recent: row.forward_recent } }),
    ...(row.stored_body_bytes === undefined || row.stored_body_bytes === row.body.length ? {} : { storedBodyBytes: row.stored_body_bytes }),
  };
}

/** The columns a delivery is inserted with and their types, in the order of `insertValues`. */
const INSERTED: readonly (readonly [column: string, type: string])[] = [
  ['id', 'text'],
  ['received_at', 'timestamptz'],
  ['received_by', 'text'],
  ['method', 'text'],
  ['url', 'text'],
  ['remote_address', 'text'],
  ['headers', 'json'],
  ['body', 'bytea'],
  ['body_bytes', 'integer'],
  ['status', 'smallint'],
  ['verdict', 'text'],
  ['code', 'text'],
  ['reason', 'text'],
  ['scheme', 'text'],
  ['secret_index', 'integer'],
  ['event', 'text'],
  ['ack_ms', 'real'],
  ['dedupe_key', 'text'],
  ['duplicate_of', 'text'],
  ['handler', 'text'],
  ['job_id', 'uuid'],
  ['response', 'json'],
];

/** `id, received_at, ...`: the column list of an INSERT. */
export const INSERT_COLUMNS = INSERTED.map(([column]) => column).join(', ');
/** The columns' types, for a batch inserted from one array per column (`unnest($1::text[], ...)`). */
export const INSERT_TYPES: readonly string[] = INSERTED.map(([, type]) => type);

/** Parameters for INSERT_COLUMNS. */
export function insertValues(record: DeliveryRecord, extra: { receivedBy: string; handler: HandlerState; duplicateOf?: string; jobId?: string }): unknown[] {
  return [
    record.id,
    record.receivedAt,
    textSafe(extra.receivedBy),
    textSafe(record.method),
    textSafe(record.url),
    record.remoteAddress === undefined ? null : textSafe(record.remoteAddress),
    JSON.stringify(record.headers),
    record.body,
    record.bodyBytes,
    record.status,
    record.verdict,
    textSafe(record.code),
    textSafe(record.reason),
    textSafe(record.scheme),
    record.secretIndex ?? null,
    record.event === undefined ? null : textSafe(record.event),
    record.ackMs,
    record.dedupeKey === undefined ? null : textSafe(record.dedupeKey),
    extra.duplicateOf ?? null,
    extra.handler,
    extra.jobId ?? null,
    record.response === undefined ? null : JSON.stringify(record.response),
  ];
}

/**
 * A forward's try as the jsonb of `forward_recent`: jsonb cannot hold U+0000 (which an app's answer
 * may carry), so text values get U+FFFD in its place.
 */
export function forwardJson(attempt: ForwardAttempt): string {
  return JSON.stringify(attempt, (_key, value: unknown) => (typeof value === 'string' ? textSafe(value) : value));
}

/** Postgres text cannot hold U+0000. */
export function textSafe(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}
