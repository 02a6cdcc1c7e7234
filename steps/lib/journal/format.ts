/**
 * What the journal holds, whatever the bytes: files `journal-000001.bin`, `journal-000002.bin`...
 * under `<stateDir>/journal/` (frame.ts has the bytes), each a run of entries. Two kinds of entry:
 *
 * - `delivery`: a request the listener answered, written before the answer, with its handler
 *   state at that moment (`pending`, `not-run`, `duplicate`...) and its DeliveryRecord.
 * - `handler`: what the user's handler did with a delivery (`done`, `failed`, `dead`: its last
 *   try failed), written after each run, with `forward`: the run's try at forwarding it to the
 *   user's app (LISTEN_FORWARD_TO), when there was one.
 *
 * Journals written before format 2 are NDJSON files `journal-000001.ndjson`, one entry per line;
 * they are still read (legacy-ndjson.ts), never written.
 *
 * Folding the entries in order gives each delivery's current state (`DeliveryView`).
 */
import {
  type DeliveryRecord,
  type DeliveryView,
  type ForwardAttempt,
  type ForwardLog,
  HANDLER_STATES,
  type HandlerState,
  type RunReport,
  VERDICTS,
  type Verdict,
  withOutcome,
} from '../delivery/index.ts';
import { isObject } from '../core/index.ts';

/** The journal folder inside the state folder. */
export const JOURNAL_DIR_NAME = 'journal';

/** `frames`: format 2 (binary frames, the body as raw bytes); `ndjson`: format 1 (read only). */
export type JournalFormat = 'frames' | 'ndjson';

const FILE_PATTERN = /^journal-(\d{6,})\.(bin|ndjson)$/;

export interface DeliveryEntry {
  readonly type: 'delivery';
  readonly handler: HandlerState;
  readonly record: DeliveryRecord;
}

/** What a handler run leaves in the journal. */
export type HandlerOutcome = 'done' | 'failed' | 'dead';

/** One handler run as the worker reports it: the delivery, what became of it, and what the run reported. */
export interface HandlerRun {
  readonly id: string;
  readonly handler: HandlerOutcome;
  readonly error?: string | undefined;
  readonly report?: RunReport | undefined;
}

export interface HandlerEntry {
  readonly type: 'handler';
  readonly id: string;
  readonly handler: HandlerOutcome;
  readonly error?: string;
  /** ISO 8601 time the outcome was recorded: the tick its handler finished, or the next (a worker records a tick's runs together). */
  readonly at: string;
  /** The run's try at forwarding the delivery to the user's app, when it forwards. */
  readonly forward?: ForwardAttempt;
  /**
   * On an outcome rotation carried forward only: the delivery's whole forward log at the carry
   * (its true count and recent tries), standing in for the outcomes in the file rotation removed.
   * It replaces the log rather than adding to it, so reading both copies (a crash between the carry
   * and the removal) counts no try twice. Journals from before it have none: they read as before.
   */
  readonly forwardLog?: ForwardLog;
}

export type JournalEntry = DeliveryEntry | HandlerEntry;

/** `journal-000042.bin` for 42: zero-padded so names sort in order. */
export function journalFileName(seq: number, format: JournalFormat = 'frames'): string {
  return `journal-${String(seq).padStart(6, '0')}.${format === 'frames' ? 'bin' : 'ndjson'}`;
}

/** The sequence number and format of a journal file name, or undefined for any other file. */
export function journalFileOf(name: string): { seq: number; format: JournalFormat } | undefined {
  const match = FILE_PATTERN.exec(name);
  if (match?.[1] === undefined) return undefined;
  return { seq: Number(match[1]), format: match[2] === 'bin' ? 'frames' : 'ndjson' };
}

const OUTCOMES: readonly string[] = ['done', 'failed', 'dead'] satisfies HandlerOutcome[];

/** `value` as an entry, or undefined when it is not a well-formed one. */
export function asEntry(value: unknown): JournalEntry | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'delivery' && HANDLER_STATES.includes(value.handler as HandlerState) && isRecord(value.record)) {
    return value as unknown as DeliveryEntry;
  }
  if (
    value.type === 'handler' &&
    typeof value.id === 'string' &&
    OUTCOMES.includes(value.handler as string) &&
    typeof value.at === 'string' &&
    (value.forwardLog === undefined || isForwardLog(value.forwardLog))
  ) {
    return value as unknown as HandlerEntry;
  }
  return undefined;
}

/** Folds entries (in file order) into one view per delivery. */
export class JournalFold {
  readonly #views = new Map<string, DeliveryView>();

  add(entry: JournalEntry): void {
    if (entry.type === 'delivery') {
      // A delivery carried forward by rotation repeats its entry: the first one stands.
      if (!this.#views.has(entry.record.id)) {
        this.#views.set(entry.record.id, { ...entry.record, handler: entry.handler, handlerError: undefined });
      }
      return;
    }
    const view = this.#views.get(entry.id);
    if (view === undefined) return;
    const after = withOutcome(view, entry.handler, entry.error, entry.forward === undefined ? undefined : { forward: entry.forward });
    this.#views.set(entry.id, entry.forwardLog === undefined ? after : { ...after, forward: entry.forwardLog });
  }

  /** Oldest first, by arrival time (a carried-forward delivery keeps its place). */
  views(): DeliveryView[] {
    return [...this.#views.values()].sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
  }
}

/** A carried log replaces the view's whole log: its shape is checked (a try's fields are not, as for `forward`). */
function isForwardLog(value: unknown): value is ForwardLog {
  return isObject(value) && Number.isSafeInteger(value.attempts) && Array.isArray(value.recent);
}

function isRecord(value: unknown): value is DeliveryRecord {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.receivedAt === 'string' &&
    typeof value.method === 'string' &&
    typeof value.url === 'string' &&
    Array.isArray(value.headers) &&
    Buffer.isBuffer(value.body) &&
    typeof value.status === 'number' &&
    VERDICTS.includes(value.verdict as Verdict) &&
    typeof value.code === 'string'
  );
}
