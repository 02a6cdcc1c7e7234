/**
 * The journal's bytes (format 2): each entry is one frame, a fixed header, the entry's metadata as
 * JSON, then the body's exact bytes. The body is not base64 inside JSON (format 1): at 64 KiB that
 * encoding, and scanning it back, cost more than writing the bytes to disk.
 *
 *   offset  size  what
 *        0     4  magic "WBJ2"
 *        4     4  CRC-32 of every byte after this field (the two lengths, the metadata, the body)
 *        8     4  metadata length in bytes (uint32, little-endian)
 *       12     4  body length in bytes (uint32, little-endian)
 *       16     …  metadata: the entry as UTF-8 JSON, a delivery's record without its `body`
 *        …     …  body: the bytes received (a delivery), or nothing (a handler outcome)
 *
 * The record's other fields go through JSON as they are, so a field added to DeliveryRecord is
 * journaled with no change here. A crash mid-write leaves a frame that is short, or whose CRC does
 * not match (a file extended with zeros): everything from the first such frame on is the torn
 * tail. Frames are never searched for past it, since a body could hold bytes that look like one.
 *
 * @example
 * const frame = encodeFrame({ type: 'delivery', handler: 'pending', record });
 * const { frames, tail } = decodeFrames(await readFile(path));
 */
import { crc32 } from 'node:zlib';
import type { DeliveryRecord } from '../delivery/index.ts';
import { isObject } from '../core/index.ts';
import { asEntry, type HandlerEntry, type JournalEntry } from './format.ts';

const MAGIC = Buffer.from('WBJ2', 'latin1');
const HEADER_BYTES = 16;

/** The frame for `entry`: a delivery's body is its record's bytes, as they are. */
export function encodeFrame(entry: JournalEntry): Buffer {
  return Buffer.concat(encodeFrameParts(entry));
}

/**
 * The same frame in two parts, the header with the metadata, then the body as given (not
 * copied): the writer hands both to one writev, so a 64 KiB body is neither copied nor
 * allocated again on its way to the disk. The CRC runs over both, the body's after the head's.
 */
export function encodeFrameParts(entry: JournalEntry): Buffer[] {
  if (entry.type !== 'delivery') return [encodeBodilessFrames([entry]).bytes];
  const meta = JSON.stringify({ type: entry.type, handler: entry.handler, record: withoutBody(entry.record) });
  const bytes = entry.record.body;
  const metaBytes = Buffer.byteLength(meta);
  const head = Buffer.allocUnsafe(HEADER_BYTES + metaBytes);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(metaBytes, 8);
  head.writeUInt32LE(bytes.length, 12);
  head.write(meta, HEADER_BYTES, 'utf8');
  const headCrc = crc32(head.subarray(8));
  // Only chained over a body that has bytes: Node 20's crc32 returns 0, not the starting value, for an empty Buffer on an empty ArrayBuffer.
  head.writeUInt32LE(bytes.length === 0 ? headCrc : crc32(bytes, headCrc), 4);
  return bytes.length === 0 ? [head] : [head, bytes];
}

/**
 * The frames of entries that carry no body (handler outcomes), back to back in one buffer: a
 * worker records its outcomes in batches, and a batch is then one allocation and one piece of
 * the writev rather than one of each per outcome. `frames` are each entry's frame, views into `bytes`.
 */
export function encodeBodilessFrames(entries: readonly HandlerEntry[]): { bytes: Buffer; frames: Buffer[] } {
  const metas = entries.map((entry) => JSON.stringify(entry));
  let total = 0;
  for (const meta of metas) total += HEADER_BYTES + Buffer.byteLength(meta);
  const bytes = Buffer.allocUnsafe(total);
  const frames: Buffer[] = [];
  let offset = 0;
  for (const meta of metas) {
    const metaBytes = bytes.write(meta, offset + HEADER_BYTES, 'utf8');
    const end = offset + HEADER_BYTES + metaBytes;
    MAGIC.copy(bytes, offset);
    bytes.writeUInt32LE(metaBytes, offset + 8);
    bytes.writeUInt32LE(0, offset + 12);
    bytes.writeUInt32LE(crc32(bytes.subarray(offset + 8, end)), offset + 4);
    frames.push(bytes.subarray(offset, end));
    offset = end;
  }
  return { bytes, frames };
}

export interface DecodedFrame {
  readonly entry: JournalEntry;
  /** The frame's bytes, as found (a view into the data decoded). */
  readonly bytes: Buffer;
}

export interface DecodedFrames {
  readonly frames: DecodedFrame[];
  /** Frames whose bytes are intact but whose metadata is not an entry (skipped), by offset. */
  readonly unreadableAt: number[];
  /** Where the intact frames end: everything after is the torn tail. */
  readonly completeBytes: number;
  /** `short`: the data ends inside a frame; `damaged`: a frame's magic or CRC is wrong; `none`: no tail. */
  readonly tail: 'none' | 'short' | 'damaged';
}

/** Every frame in `data`, up to the first one that is short or damaged. */
export function decodeFrames(data: Buffer): DecodedFrames {
  const frames: DecodedFrame[] = [];
  const unreadableAt: number[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < HEADER_BYTES) return { frames, unreadableAt, completeBytes: offset, tail: 'short' };
    if (!data.subarray(offset, offset + 4).equals(MAGIC)) return { frames, unreadableAt, completeBytes: offset, tail: 'damaged' };
    const metaBytes = data.readUInt32LE(offset + 8);
    const bodyBytes = data.readUInt32LE(offset + 12);
    const end = offset + HEADER_BYTES + metaBytes + bodyBytes;
    if (end > data.length) return { frames, unreadableAt, completeBytes: offset, tail: 'short' };
    const bytes = data.subarray(offset, end);
    if (crc32(bytes.subarray(8)) !== data.readUInt32LE(offset + 4)) return { frames, unreadableAt, completeBytes: offset, tail: 'damaged' };
    const metaEnd = offset + HEADER_BYTES + metaBytes;
    const entry = entryOf(data.toString('utf8', offset + HEADER_BYTES, metaEnd), data.subarray(metaEnd, end));
    if (entry === undefined) unreadableAt.push(offset);
    else frames.push({ entry, bytes });
    offset = end;
  }
  return { frames, unreadableAt, completeBytes: offset, tail: 'none' };
}

/** The entry a frame's metadata and body make, or undefined when the metadata is not one. */
function entryOf(meta: string, body: Buffer): JournalEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(meta);
  } catch {
    return undefined;
  }
  if (isObject(value) && value.type === 'delivery' && isObject(value.record)) {
    // A copy: `body` is a view into the whole file read, which a recovered delivery must not keep alive.
    return asEntry({ ...value, record: { ...value.record, body: Buffer.from(body) } });
  }
  return body.length === 0 ? asEntry(value) : undefined;
}

/** Every field of the record but the body, which the frame carries as bytes. */
function withoutBody(record: DeliveryRecord): Omit<DeliveryRecord, 'body'> {
  const { body: _body, ...rest } = record;
  return rest;
}
