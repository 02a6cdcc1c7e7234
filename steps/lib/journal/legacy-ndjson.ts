/**
 * Journals written before format 2 (`journal-000001.ndjson`): one JSON entry per line, the body
 * base64 inside the record. A listener upgraded over such a folder reads these files as they are
 * and writes new entries to format-2 files after them; rotation removes the old files in turn,
 * carrying their unfinished deliveries forward in the new format. Nothing writes this format.
 */
import { isObject } from '../core/index.ts';
import { asEntry, type JournalEntry } from './format.ts';

export interface DecodedLines {
  readonly entries: JournalEntry[];
  /** 1-based numbers of the complete lines that are not entries (skipped). */
  readonly unreadableLines: number[];
  /** Length up to and including the last newline: everything after it is a torn line. */
  readonly completeBytes: number;
}

/** Every well-formed entry in NDJSON `data`. */
export function decodeLines(data: Buffer): DecodedLines {
  const completeBytes = data.lastIndexOf(0x0a) + 1;
  const entries: JournalEntry[] = [];
  const unreadableLines: number[] = [];
  const lines = data.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // the empty string after the last newline
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const entry = asEntry(withBodyBytes(parseJson(line)));
    if (entry === undefined) unreadableLines.push(index + 1);
    else entries.push(entry);
  });
  return { entries, unreadableLines, completeBytes };
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** A delivery entry's record with its base64 `bodyBase64` decoded, once, into the `body` bytes records carry. */
function withBodyBytes(value: unknown): unknown {
  if (!isObject(value) || value.type !== 'delivery' || !isObject(value.record) || typeof value.record.bodyBase64 !== 'string') return value;
  const { bodyBase64, ...record } = value.record;
  return { ...value, record: { ...record, body: Buffer.from(bodyBase64, 'base64') } };
}
