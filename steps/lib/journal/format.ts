/**
 * The journal's on-disk format: NDJSON files `journal-000001.ndjson`, `journal-000002.ndjson`...
 * under `<stateDir>/journal/`, one entry per line. Two kinds of entry:
 *
 * - `{"type":"delivery","handler":"pending","record":{...DeliveryRecord}}`: a request the listener
 *   answered, written before the answer. `handler` is its state at that moment.
 * - `{"type":"handler","id":"...","handler":"done"|"failed"|"dead","error":"...","at":"...","forward":{...}}`:
 *   what the user's handler did with a delivery, written after each run (`dead`: its last try
 *   failed); `forward` is the run's try at forwarding it to the user's app (LISTEN_FORWARD_TO).
 *
 * Folding the entries in order gives each delivery's current state (`DeliveryView`).
 */
import {
  type DeliveryRecord,
  type DeliveryView,
  type ForwardAttempt,
  HANDLER_STATES,
  type HandlerState,
  VERDICTS,
  type Verdict,
  withOutcome,
} from '../delivery/index.ts';

/** The journal folder inside the state folder. */
export const JOURNAL_DIR_NAME = 'journal';
const FILE_PATTERN = /^journal-(\d{6,})\.ndjson$/;

export interface DeliveryEntry {
  readonly type: 'delivery';
  readonly handler: HandlerState;
  readonly record: DeliveryRecord;
}

/** What a handler run leaves in the journal. */
export type HandlerOutcome = 'done' | 'failed' | 'dead';

export interface HandlerEntry {
  readonly type: 'handler';
  readonly id: string;
  readonly handler: HandlerOutcome;
  readonly error?: string;
  /** ISO 8601 time the handler finished. */
  readonly at: string;
  /** The run's try at forwarding the delivery to the user's app, when it forwards. */
  readonly forward?: ForwardAttempt;
}

export type JournalEntry = DeliveryEntry | HandlerEntry;

/** `journal-000042.ndjson` for 42: zero-padded so names sort in order. */
export function journalFileName(seq: number): string {
  return `journal-${String(seq).padStart(6, '0')}.ndjson`;
}

/** The sequence number in a journal file name, or undefined for any other file. */
export function journalFileSeq(name: string): number | undefined {
  const match = FILE_PATTERN.exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Bodies from this size up are spliced into the line rather than passed through JSON.stringify. */
const SPLICE_FROM_CHARS = 4096;

/**
 * One line, newline included. JSON.stringify escapes newlines inside strings, so a line is a record.
 * A large body is spliced in after the rest is stringified: base64 never needs escaping in JSON, and
 * letting JSON.stringify scan 88 KB of it for escapes made encoding 2.7x slower (bench, 64 KiB bodies).
 */
export function encodeEntry(entry: JournalEntry): string {
  if (entry.type !== 'delivery' || entry.record.bodyBase64.length < SPLICE_FROM_CHARS) return `${JSON.stringify(entry)}\n`;
  const { bodyBase64, ...rest } = entry.record;
  const head = JSON.stringify({ ...entry, record: rest }); // ends with the record's and the entry's "}}"
  return `${head.slice(0, -2)},"bodyBase64":"${bodyBase64}"}}\n`;
}

const OUTCOMES: readonly string[] = ['done', 'failed', 'dead'] satisfies HandlerOutcome[];

/** The entry on `line`, or undefined when the line is not a well-formed entry. */
export function parseEntry(line: string): JournalEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (value.type === 'delivery' && HANDLER_STATES.includes(value.handler as HandlerState) && isRecord(value.record)) {
    return value as unknown as DeliveryEntry;
  }
  if (value.type === 'handler' && typeof value.id === 'string' && OUTCOMES.includes(value.handler as string) && typeof value.at === 'string') {
    return value as unknown as HandlerEntry;
  }
  return undefined;
}

/** Folds entries (in file order) into one view per delivery. */
export class JournalFold {
  readonly #views = new Map<string, DeliveryView>();

  add(entry: JournalEntry): void {
    if (entry.type === 'delivery') {
      // A delivery carried forward by rotation repeats its line: the first one stands.
      if (!this.#views.has(entry.record.id)) {
        this.#views.set(entry.record.id, { ...entry.record, handler: entry.handler, handlerError: undefined });
      }
      return;
    }
    const view = this.#views.get(entry.id);
    if (view !== undefined)
      this.#views.set(entry.id, withOutcome(view, entry.handler, entry.error, entry.forward === undefined ? undefined : { forward: entry.forward }));
  }

  /** Oldest first, by arrival time (a carried-forward delivery keeps its place). */
  views(): DeliveryView[] {
    return [...this.#views.values()].sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRecord(value: unknown): value is DeliveryRecord {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.receivedAt === 'string' &&
    typeof value.method === 'string' &&
    typeof value.url === 'string' &&
    Array.isArray(value.headers) &&
    typeof value.bodyBase64 === 'string' &&
    typeof value.status === 'number' &&
    VERDICTS.includes(value.verdict as Verdict) &&
    typeof value.code === 'string'
  );
}
