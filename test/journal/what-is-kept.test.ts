/**
 * What the journal keeps when it moves bytes around: a dead delivery carried forward by rotation
 * (a restart runs it again), one dedupe key per delivery in the key file (a duplicate claims
 * none), and a damaged end's copy flushed to disk before the journal file is cut.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import type { DeliveryRecord } from '../../steps/lib/delivery/record.ts';
import { openJournal, type Journal } from '../../steps/lib/journal/journal.ts';
import { cutDamagedTail } from '../../steps/lib/journal/damaged-tail.ts';
import { DEDUPE_KEYS_FILE } from '../../steps/lib/journal/dedupe-keys.ts';
import { journalFileName } from '../../steps/lib/journal/format.ts';
import { encodeFrame } from '../../steps/lib/journal/frame.ts';

let dir: string;
const opened: Journal[] = [];

beforeEach(async () => {
  dir = await tempDir('journal-kept');
});
afterEach(async () => {
  for (const journal of opened.splice(0)) await journal.close().catch(() => {});
  vi.restoreAllMocks();
});

async function openIn(maxBytes: number, keepFiles: number): Promise<Journal> {
  const journal = await openJournal({ dir, maxBytes, keepFiles });
  opened.push(journal);
  return journal;
}

function record(n: number, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  const body = Buffer.from(`{"eventname":"User_Create","n":${String(n).padStart(4, '0')}}`);
  const receivedAt = new Date(Date.UTC(2024, 0, 1, 0, 0, 0, n)).toISOString();
  return validDeliveryRecord({ id: `id-${String(n).padStart(4, '0')}`, receivedAt, body }, { dedupeKey: `sha256:${n}`, ...overrides });
}

const frameBytes = encodeFrame({ type: 'delivery', handler: 'done', record: record(10) }).length;

describe('rotation', () => {
  it('carries a dead delivery forward like a failed one: after a restart it is still there, dead, to be run again', async () => {
    const journal = await openIn(frameBytes * 2, 2);
    await journal.appendDelivery(record(1), 'pending');
    await journal.appendOutcomes([{ id: 'id-0001', handler: 'dead', error: 'gave up' }]);
    for (let n = 10; n < 20; n += 1) await journal.appendDelivery(record(n), 'done');
    await journal.close();
    opened.length = 0;
    // The file that held it is gone.
    expect((await readdir(dir)).filter((name) => name.endsWith('.bin'))).not.toContain(journalFileName(1));

    const reopened = await openIn(frameBytes * 2, 2);
    expect(reopened.recovered.filter((d) => d.id === 'id-0001').map((d) => [d.handler, d.handlerError])).toEqual([['dead', 'gave up']]);
  });

  it('writes one line per delivery to the key file: a duplicate of it claims no key of its own', async () => {
    const journal = await openIn(frameBytes * 2, 1);
    await journal.appendDelivery(record(1), 'pending');
    // The sender's retry, stored as a duplicate of id-0001: the same dedupe key.
    await journal.appendDelivery(record(2, { dedupeKey: 'sha256:1' }), 'duplicate');
    for (let n = 10; n < 14; n += 1) await journal.appendDelivery(record(n), 'done');
    await journal.close();
    opened.length = 0;
    const lines = (await readFile(join(dir, DEDUPE_KEYS_FILE), 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { key: string; id: string });
    expect(lines.filter((line) => line.key === 'sha256:1').map((line) => line.id)).toEqual(['id-0001']);
  });
});

describe('cutting a damaged end', () => {
  it('flushes the copy with fdatasync, then cuts the journal file back to its last whole frame', async () => {
    const file = join(dir, journalFileName(1));
    const whole = encodeFrame({ type: 'delivery', handler: 'pending', record: record(1) });
    const tail = Buffer.from('the bytes of a torn record');
    await writeFile(file, Buffer.concat([whole, tail]));
    const probe = await open(join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(prototype, 'datasync');
    const copy = await cutDamagedTail({ seq: 1, path: file, format: 'frames' }, whole.length, tail);
    // The copy's one flush (the folder is synced with fsync, not fdatasync).
    expect(datasync).toHaveBeenCalledTimes(1);
    expect(await readFile(join(dir, copy))).toEqual(tail);
    expect(await readFile(file)).toEqual(whole);
  });
});
