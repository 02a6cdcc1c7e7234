/**
 * What the frame reader refuses, each check on its own: a frame with the wrong magic, a frame one
 * byte short, a handler entry that carries a body, a handler entry with an outcome this version
 * does not know. Each is a file a crash, a bad sector or a stray write could leave, and each must
 * be skipped with the warning a user reads, never read as a delivery's state.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { readJournal } from '../../steps/lib/journal/journal.ts';
import { journalFileName } from '../../steps/lib/journal/format.ts';
import { decodeFrames, encodeFrame } from '../../steps/lib/journal/frame.ts';

let dir: string;

beforeEach(async () => {
  dir = await tempDir('journal-frames');
});

function delivery(n: number): Buffer {
  const body = Buffer.from(`{"eventname":"User_Create","n":${n}}`);
  const record = validDeliveryRecord({ id: `id-${n}`, receivedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(), body });
  return encodeFrame({ type: 'delivery', handler: 'pending', record });
}

/** A frame with `meta` as its metadata and `body` after it, with a CRC that matches: intact bytes. */
function rawFrame(meta: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const metaBytes = Buffer.from(meta, 'utf8');
  const head = Buffer.alloc(16);
  head.write('WBJ2', 0, 'latin1');
  head.writeUInt32LE(metaBytes.length, 8);
  head.writeUInt32LE(body.length, 12);
  const frame = Buffer.concat([head, metaBytes, body]);
  frame.writeUInt32LE(crc32(frame.subarray(8)), 4);
  return frame;
}

async function journalOf(...frames: Buffer[]): Promise<Awaited<ReturnType<typeof readJournal>>> {
  await writeFile(join(dir, journalFileName(1)), Buffer.concat(frames));
  return readJournal(dir);
}

describe('the frame reader', () => {
  it('a frame whose magic is wrong is damaged, even though its CRC (which does not cover the magic) matches', async () => {
    const first = delivery(1);
    const stray = delivery(2);
    stray.write('XXXX', 0, 'latin1');
    expect(decodeFrames(Buffer.concat([first, stray]))).toMatchObject({ tail: 'damaged', completeBytes: first.length });
    const { deliveries, warnings } = await journalOf(first, stray);
    expect(deliveries.map((d) => d.id)).toEqual(['id-1']);
    expect(warnings).toEqual([
      `${journalFileName(1)}: skipped a damaged last record (${stray.length} bytes from byte ${first.length}) left by an interrupted write.`,
    ]);
  });

  it('a last frame one byte short is an incomplete record, not a damaged one', async () => {
    const first = delivery(1);
    const cut = delivery(2).subarray(0, delivery(2).length - 1);
    expect(decodeFrames(Buffer.concat([first, cut]))).toMatchObject({ tail: 'short', completeBytes: first.length });
    const { deliveries, warnings } = await journalOf(first, cut);
    expect(deliveries.map((d) => d.id)).toEqual(['id-1']);
    expect(warnings).toEqual([`${journalFileName(1)}: skipped an incomplete last record (${cut.length} bytes) left by an interrupted write.`]);
  });

  it('a handler entry that carries body bytes is unreadable: the delivery keeps its state', async () => {
    const first = delivery(1);
    const outcome = rawFrame(JSON.stringify({ type: 'handler', id: 'id-1', handler: 'done', at: '2024-01-01T00:00:02.000Z' }), Buffer.from('extra'));
    const { deliveries, warnings } = await journalOf(first, outcome);
    expect(deliveries.map((d) => [d.id, d.handler])).toEqual([['id-1', 'pending']]);
    expect(warnings).toEqual([`${journalFileName(1)}: skipped an unreadable record at byte ${first.length}.`]);
  });

  it('a handler entry with an outcome this version does not know is unreadable, not a new handler state', async () => {
    const first = delivery(1);
    const outcome = rawFrame(JSON.stringify({ type: 'handler', id: 'id-1', handler: 'exploded', at: '2024-01-01T00:00:02.000Z' }));
    const { deliveries, warnings } = await journalOf(first, outcome);
    expect(deliveries.map((d) => [d.id, d.handler])).toEqual([['id-1', 'pending']]);
    expect(warnings).toEqual([`${journalFileName(1)}: skipped an unreadable record at byte ${first.length}.`]);
  });
});
