/**
 * The journal on disk: what survives a crash (torn last record), rotation by size with unfinished
 * work carried forward, reading without a listener, the lock, and "on disk before the answer".
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendFile, copyFile, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import type { DeliveryRecord, DeliveryView } from '../../steps/lib/delivery/record.ts';
import { STATE_LOCKED, StateError } from '../../steps/lib/core/errors.ts';
import { openJournal, readJournal, type Journal } from '../../steps/lib/journal/journal.ts';
import { cutDamagedTail } from '../../steps/lib/journal/damaged-tail.ts';
import { type HandlerEntry, journalFileName, type JournalEntry } from '../../steps/lib/journal/format.ts';
import { decodeFrames, encodeBodilessFrames, encodeFrame, encodeFrameParts } from '../../steps/lib/journal/frame.ts';
import { send, signed, startTestListener, userCreate } from '../helpers/listener.ts';
import { exitedPid } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: string;
const opened: Journal[] = [];

beforeEach(async () => {
  dir = await tempDir('journal');
});
afterEach(async () => {
  for (const journal of opened.splice(0)) await journal.close().catch(() => {});
  vi.restoreAllMocks();
});

async function openIn(options: { maxBytes?: number; keepFiles?: number; log?: (line: string) => void } = {}): Promise<Journal> {
  const journal = await openJournal({
    dir,
    maxBytes: options.maxBytes ?? 1 << 20,
    keepFiles: options.keepFiles ?? 3,
    ...(options.log ? { log: options.log } : {}),
  });
  opened.push(journal);
  return journal;
}

/** Names of the damaged-tail copies in the journal folder, oldest first. */
async function cutCopies(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.includes('.cut-')).sort();
}

function record(n: number, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  const body = Buffer.from(JSON.stringify(userCreate(n)));
  const receivedAt = new Date(Date.UTC(2024, 0, 1, 0, 0, 0, n)).toISOString();
  return validDeliveryRecord({ id: `id-${String(n).padStart(4, '0')}`, receivedAt, body }, { dedupeKey: `sha256:${n}`, ...overrides });
}

describe('openJournal / readJournal', () => {
  it('reads back deliveries oldest first, with handler outcomes folded in', async () => {
    const journal = await openIn();
    await journal.appendDelivery(record(1), 'pending');
    await journal.appendDelivery(record(2), 'pending');
    await journal.appendDelivery(record(3, { status: 401, verdict: 'invalid', code: 'signature_mismatch' }), 'not-run');
    await journal.appendOutcomes([{ id: 'id-0001', handler: 'done' }]);
    await journal.appendOutcomes([{ id: 'id-0002', handler: 'failed', error: 'database down' }]);
    const { deliveries, warnings } = await readJournal(dir);
    expect(warnings).toEqual([]);
    expect(deliveries.map((d) => [d.id, d.handler, d.handlerError, d.code])).toEqual([
      ['id-0001', 'done', undefined, 'ok'],
      ['id-0002', 'failed', 'database down', 'ok'],
      ['id-0003', 'not-run', undefined, 'signature_mismatch'],
    ]);
    expect(deliveries[0]).toMatchObject(record(1));
  });

  it('readJournal of a folder that does not exist is empty, not an error', async () => {
    expect(await readJournal(join(dir, 'nope'))).toEqual({ deliveries: [], warnings: [] });
  });

  it('skips a torn last record with a warning, cuts it off, and the next append is clean', async () => {
    const file = join(dir, journalFileName(1));
    const torn = frame(record(2)).subarray(0, 57);
    await writeFile(file, Buffer.concat([frame(record(1)), torn]));
    const logs: string[] = [];
    const journal = await openIn({ log: (line) => logs.push(line) });
    const [copy] = await cutCopies();
    const warnings = [
      `${journalFileName(1)}: skipped an incomplete last record (57 bytes) left by an interrupted write.`,
      `${journalFileName(1)}: cut those 57 bytes off and kept them in ${copy}; after a crash they are a last write never acknowledged, and the copy can be deleted.`,
    ];
    expect(journal.warnings).toEqual(warnings);
    expect(logs).toEqual(warnings.map((warning) => `journal: ${warning}`));
    expect(journal.recovered.map((d) => d.id)).toEqual(['id-0001']);
    expect(await readFile(join(dir, copy ?? ''))).toEqual(torn);

    await journal.appendDelivery(record(3), 'pending');
    const decoded = decodeFrames(await readFile(file));
    expect(decoded.tail).toBe('none');
    expect(decoded.frames.map((f) => (f.entry.type === 'delivery' ? f.entry.record.id : ''))).toEqual(['id-0001', 'id-0003']);
    expect(await readJournal(dir)).toMatchObject({ warnings: [] });
  });

  it('a last record a crash left as zeros (the file grew, its data never landed) fails its CRC: skipped and cut off', async () => {
    const file = join(dir, journalFileName(1));
    const whole = frame(record(2));
    await writeFile(file, Buffer.concat([frame(record(1)), whole.subarray(0, 16), Buffer.alloc(whole.length - 16)]));
    const journal = await openIn();
    expect(journal.warnings[0]).toBe(
      `${journalFileName(1)}: skipped a damaged last record (${whole.length} bytes from byte ${frame(record(1)).length}) left by an interrupted write.`,
    );
    expect(journal.warnings).toHaveLength(2);
    expect(journal.recovered.map((d) => d.id)).toEqual(['id-0001']);
    await journal.appendDelivery(record(3), 'pending');
    expect((await readJournal(dir)).deliveries.map((d) => d.id)).toEqual(['id-0001', 'id-0003']);
  });

  it('damage in the middle of the newest file: the frames behind it, acknowledged ones too, are kept byte for byte beside the journal', async () => {
    const file = join(dir, journalFileName(1));
    // A bad sector in the second frame: the reader stops there, and the third (acknowledged) frame is behind it.
    const damaged = frame(record(2));
    damaged.fill(0, 40, 60);
    const behind = Buffer.concat([damaged, frame(record(3))]);
    await writeFile(file, Buffer.concat([frame(record(1)), behind]));
    const journal = await openIn();
    const copies = await cutCopies();
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(/^journal-000001\.bin\.cut-\d{8}T\d{9}Z$/);
    expect(journal.warnings[1]).toBe(
      `${journalFileName(1)}: cut those ${behind.length} bytes off and kept them in ${copies[0]}; after a crash they are a last write never acknowledged, and the copy can be deleted.`,
    );
    expect(await readFile(join(dir, copies[0] ?? ''))).toEqual(behind);
    expect(decodeFrames(behind.subarray(damaged.length)).frames.map((f) => (f.entry.type === 'delivery' ? f.entry.record.id : ''))).toEqual(['id-0003']);
    // The journal itself reads clean and takes appends; no reader mistakes the copy for a journal file.
    await journal.appendDelivery(record(4), 'pending');
    await journal.close();
    expect(await readJournal(dir)).toMatchObject({ warnings: [] });
    expect((await readJournal(dir)).deliveries.map((d) => d.id)).toEqual(['id-0001', 'id-0004']);
    // A second crash at the same spot keeps a second copy; the first is never overwritten.
    await appendFile(file, behind);
    const reopened = await openIn();
    expect(reopened.warnings).toHaveLength(2);
    const again = await cutCopies();
    expect(again).toHaveLength(2);
    expect(again).toContain(copies[0]);
  });

  it('damage in an older file is moved aside too, so rotation does not delete what lay behind it', async () => {
    const older = join(dir, journalFileName(1));
    const behind = Buffer.concat([frame(record(2)).subarray(0, 30), frame(record(3))]);
    await writeFile(older, Buffer.concat([frame(record(1)), behind]));
    await writeFile(join(dir, journalFileName(2)), frame(record(4)));
    const journal = await openIn({ keepFiles: 2 });
    const [copy] = await cutCopies();
    expect(copy).toMatch(/^journal-000001\.bin\.cut-/);
    expect(journal.warnings[1]).toBe(
      `${journalFileName(1)}: cut those ${behind.length} bytes off and kept them in ${copy}; this file was no longer written to, so the damage is not from a crash: they may hold acknowledged deliveries.`,
    );
    expect(await readFile(join(dir, copy ?? ''))).toEqual(behind);
    expect(await readFile(older)).toEqual(frame(record(1)));
    expect(journal.recovered.map((d) => d.id)).toEqual(['id-0001', 'id-0004']);
    await journal.close();
    expect(await readJournal(dir)).toMatchObject({ warnings: [] });
  });

  it('a damaged end that cannot be copied aside is left in place: nothing is cut, and the error says why', async () => {
    const file = join(dir, journalFileName(1));
    const written = Buffer.concat([frame(record(1)), frame(record(2)).subarray(0, 57)]);
    await writeFile(file, written);
    // The copy's name is taken (as root, permissions cannot refuse the copy; a full disk would refuse it the same way).
    const now = new Date('2026-11-30T15:20:01.123Z');
    await writeFile(`${file}.cut-20261130T152001123Z`, 'an earlier copy');
    const journalFile = { seq: 1, path: file, format: 'frames' } as const;
    const tail = written.subarray(frame(record(1)).length);
    await expect(cutDamagedTail(journalFile, frame(record(1)).length, tail, now)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(file)).toEqual(written);
    expect(await readFile(`${file}.cut-20261130T152001123Z`, 'utf8')).toBe('an earlier copy');
    // (openJournal reports it as WORKBENCH_STATE_WRITE_FAILED, as any write it makes.) A moment later the copy is made and the cut follows.
    expect(await cutDamagedTail(journalFile, frame(record(1)).length, tail, new Date(now.getTime() + 1))).toBe(`${journalFileName(1)}.cut-20261130T152001124Z`);
    expect(await readFile(file)).toEqual(frame(record(1)));
  });

  it('skips an intact record that is not an entry with a warning naming the file and byte, and reads on', async () => {
    const first = frame(record(1), 'done');
    // An intact frame (its CRC matches) whose metadata is an entry type this version does not know.
    const odd = frame(record(1), 'done');
    odd.write(odd.toString('utf8', 16, 16 + odd.readUInt32LE(8)).replace('"type":"delivery"', '"type":"deliverz"'), 16, 'utf8');
    odd.writeUInt32LE(crc32(odd.subarray(8)), 4);
    await writeFile(join(dir, journalFileName(1)), Buffer.concat([first, odd, frame(record(2), 'done')]));
    const { deliveries, warnings } = await readJournal(dir);
    expect(deliveries.map((d) => d.id)).toEqual(['id-0001', 'id-0002']);
    expect(warnings).toEqual([`${journalFileName(1)}: skipped an unreadable record at byte ${first.length}.`]);
  });

  it('rotates at maxBytes, keeps keepFiles files, and readJournal reads across them', async () => {
    // Records 10..29 all encode to frames of the same length.
    const frameBytes = frame(record(10), 'done').length;
    const journal = await openIn({ maxBytes: frameBytes * 3, keepFiles: 3 });
    for (let n = 10; n < 30; n += 1) await journal.appendDelivery(record(n), 'done');
    const files = (await readdir(dir)).filter((name) => name.endsWith('.bin')).sort();
    // 20 records, 3 per file: files 1..7, of which the newest 3 are kept.
    expect(files).toEqual([journalFileName(5), journalFileName(6), journalFileName(7)]);
    const { deliveries } = await readJournal(dir);
    expect(deliveries.map((d) => d.id)).toEqual(Array.from({ length: 8 }, (_, i) => `id-${String(22 + i).padStart(4, '0')}`));
    for (const file of files) expect((await readFile(join(dir, file))).length).toBeLessThanOrEqual(frameBytes * 3);
  });

  it('carries an unfinished delivery forward when its file is rotated away, so it is still owed after a restart', async () => {
    const frameBytes = frame(record(1), 'done').length;
    const journal = await openIn({ maxBytes: frameBytes * 2, keepFiles: 2 });
    await journal.appendDelivery(record(1), 'pending'); // never finishes
    await journal.appendDelivery(record(2), 'pending');
    await journal.appendOutcomes([{ id: 'id-0002', handler: 'failed', error: 'boom' }]);
    for (let n = 3; n <= 12; n += 1) await journal.appendDelivery(record(n), 'done');
    await journal.close();
    opened.length = 0;
    expect((await readdir(dir)).filter((name) => name.endsWith('.bin'))).toHaveLength(2);

    const reopened = await openIn({ maxBytes: frameBytes * 2, keepFiles: 2 });
    const owed = reopened.recovered.filter((d) => d.handler === 'pending' || d.handler === 'failed');
    expect(owed.map((d) => [d.id, d.handler, d.handlerError])).toEqual([
      ['id-0001', 'pending', undefined],
      ['id-0002', 'failed', 'boom'],
    ]);
    // Oldest first by arrival, even though the carried copies sit in a newer file.
    expect(reopened.recovered[0]?.id).toBe('id-0001');
  });

  it('more owed than the files hold (an app down for long): rotation still comes every maxBytes of new entries, not at every append', async () => {
    const frameBytes = frame(record(10), 'done').length;
    const logs: string[] = [];
    const journal = await openIn({ maxBytes: frameBytes * 4, keepFiles: 2, log: (line) => logs.push(line) });
    // Six deliveries still owed: more than the two files of four hold.
    for (let n = 10; n < 16; n += 1) await journal.appendDelivery(record(n), 'pending');
    logs.length = 0;
    for (let n = 16; n < 40; n += 1) await journal.appendDelivery(record(n), 'done');
    // 24 new frames, 4 per file: 6 rotations (before: one at every append once the carried ones filled the file, 24).
    expect(logs.filter((line) => line.startsWith('journal: rotated'))).toHaveLength(6);
    await journal.close();
    opened.length = 0;
    const reopened = await openIn({ maxBytes: frameBytes * 4, keepFiles: 2 });
    expect(reopened.recovered.filter((d) => d.handler === 'pending').map((d) => d.id)).toEqual(
      Array.from({ length: 6 }, (_, i) => `id-${String(10 + i).padStart(4, '0')}`),
    );
  });

  it('group-commits concurrent appends: 50 appends at once take far fewer than 50 fdatasync calls', async () => {
    const journal = await openIn();
    const probe = await open(join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(prototype, 'datasync');
    await Promise.all(Array.from({ length: 50 }, (_, n) => journal.appendDelivery(record(n), 'done')));
    expect(datasync.mock.calls.length).toBeGreaterThan(0);
    expect(datasync.mock.calls.length).toBeLessThanOrEqual(5);
    expect((await readJournal(dir)).deliveries).toHaveLength(50);
  });
});

describe('handler outcomes are unhurried (a lost one only re-runs the handler)', () => {
  async function spyDatasync() {
    const probe = await open(join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    return vi.spyOn(prototype, 'datasync');
  }

  it('an outcome rides along with the next delivery: one fdatasync for both', async () => {
    const journal = await openIn();
    await journal.appendDelivery(record(1), 'pending');
    const datasync = await spyDatasync();
    const outcome = journal.appendOutcomes([{ id: 'id-0001', handler: 'done' }]);
    await journal.appendDelivery(record(2), 'pending');
    await outcome;
    expect(datasync).toHaveBeenCalledTimes(1);
    const views = (await readJournal(dir)).deliveries.map((d) => [d.id, d.handler]);
    expect(views).toEqual([
      ['id-0001', 'done'],
      ['id-0002', 'pending'],
    ]);
  });

  it("a worker's batch of outcomes rides along too: one write, one fdatasync, each delivery its own outcome", async () => {
    const journal = await openIn();
    for (const n of [1, 2, 3]) await journal.appendDelivery(record(n), 'pending');
    const datasync = await spyDatasync();
    const outcomes = journal.appendOutcomes([
      { id: 'id-0001', handler: 'done' },
      { id: 'id-0002', handler: 'failed', error: 'the database said “no”' },
      { id: 'id-0003', handler: 'dead', error: 'boom' },
    ]);
    await journal.appendDelivery(record(4), 'pending');
    await outcomes;
    expect(datasync).toHaveBeenCalledTimes(1);
    const views = (await readJournal(dir)).deliveries.map((d) => [d.id, d.handler, d.handlerError]);
    expect(views).toEqual([
      ['id-0001', 'done', undefined],
      ['id-0002', 'failed', 'the database said “no”'],
      ['id-0003', 'dead', 'boom'],
      ['id-0004', 'pending', undefined],
    ]);
  });

  it('an outcome on its own still reaches the disk, shortly after, and before close() returns', async () => {
    const journal = await openIn();
    await journal.appendDelivery(record(1), 'pending');
    await journal.appendOutcomes([{ id: 'id-0001', handler: 'done' }]);
    expect((await readJournal(dir)).deliveries.map((d) => d.handler)).toEqual(['done']);

    await journal.appendDelivery(record(2), 'pending');
    void journal.appendOutcomes([{ id: 'id-0002', handler: 'failed', error: 'boom' }]);
    await journal.close();
    expect((await readJournal(dir)).deliveries.map((d) => [d.handler, d.handlerError])).toEqual([
      ['done', undefined],
      ['failed', 'boom'],
    ]);
  });
});

describe('the journal lock', () => {
  it('refuses a second journal on the same folder while the first is open', async () => {
    await openIn();
    const error = await openJournal({ dir, maxBytes: 1 << 20, keepFiles: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect(error).toMatchObject({ code: STATE_LOCKED, message: `Another listener (pid ${process.pid}) is writing the journal in ${dir}.` });
  });

  it('a lock naming a live process that is not a listener (a pid reused after a restart) is refused with how to clear it', async () => {
    const path = join(dir, 'journal.lock');
    await writeFile(path, String(process.ppid)); // alive, and not holding this journal
    const error = await openJournal({ dir, maxBytes: 1 << 20, keepFiles: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: STATE_LOCKED,
      message: `Another listener (pid ${process.ppid}) is writing the journal in ${dir}.`,
      hint: `Stop that listener (Ctrl-C in its terminal) first, or give this one its own WORKBENCH_STATE_DIR. If pid ${process.ppid} is not a listener (a number reused after a restart), delete ${path}.`,
    });
  });

  it('takes over a lock left by a process that is gone (a listener killed with SIGKILL)', async () => {
    await writeFile(join(dir, 'journal.lock'), String(exitedPid()));
    const journal = await openIn();
    await journal.appendDelivery(record(1), 'done');
    expect(readFileSync(join(dir, 'journal.lock'), 'utf8')).toBe(String(process.pid));
    await journal.close();
    opened.length = 0;
    expect((await readdir(dir)).includes('journal.lock')).toBe(false);
  });
});

describe('durability before the answer', () => {
  it('the record is on disk, flushed with fdatasync, before the client gets the 200', async () => {
    const t = await startTestListener({ dir });
    try {
      const events: string[] = [];
      const probe = await open(join(dir, 'probe'), 'w');
      const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
      await probe.close();
      const original = prototype.datasync;
      vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
        await original.call(this);
        events.push('fdatasync');
      });
      const answer = await send(t.listener.url, signed(userCreate(7)));
      events.push('answer');
      // Read synchronously at the moment the answer arrived: the record must already be in the file.
      const onDisk = readFileSync(join(dir, journalFileName(1)), 'utf8');
      const id = (answer.json as { id: string }).id;
      expect(answer.status).toBe(200);
      expect(onDisk).toContain(`"id":"${id}"`);
      expect(events.indexOf('fdatasync')).toBeGreaterThanOrEqual(0);
      expect(events.indexOf('fdatasync')).toBeLessThan(events.indexOf('answer'));
    } finally {
      await t.close();
    }
  });
});

describe('journals written before format 2 (NDJSON, read as they are)', () => {
  // Written by the listener as of commit dd5eb2b (format 1), signed with FIXTURE_SECRET: user 1
  // done, user 2 dead ("database is down"), user 1 again (a duplicate), user 3 done (a body with a
  // newline and non-ASCII text), an unsigned 401, a GET 405, and user 4 still pending (its handler
  // never finished).
  const FIXTURE = join(import.meta.dirname, '../fixtures/journal-format-1/journal-000001.ndjson');
  const FIXTURE_SECRET = 'fixture-secret';
  const OLD = journalFileName(1, 'ndjson');
  const expected = [
    ['200 ok', 'done', 1001],
    ['200 ok', 'dead', 1002],
    ['200 ok', 'duplicate', 1001],
    ['200 ok', 'done', 1003],
    ['401 missing_signature', 'not-run', 1005],
    ['405 method_not_allowed', 'not-run', undefined],
    ['200 ok', 'pending', 1004],
  ];
  const summary = (views: readonly DeliveryView[]) =>
    views.map((v) => [
      `${v.status} ${v.code}`,
      v.handler,
      v.bodyBytes === 0 ? undefined : (JSON.parse(v.body.toString('utf8')) as { userkey: number }).userkey,
    ]);

  it('readJournal and openJournal read a format-1 folder; new entries go to a format-2 file after it', async () => {
    await copyFile(FIXTURE, join(dir, OLD));
    const before = await readFile(join(dir, OLD));
    const { deliveries, warnings } = await readJournal(dir);
    expect(warnings).toEqual([]);
    expect(summary(deliveries)).toEqual(expected);
    expect(deliveries[1]?.handlerError).toBe('database is down');
    expect(JSON.parse(deliveries[3]?.body.toString('utf8') ?? '')).toMatchObject({ note: 'line\nbreak, caf\u00e9 \u2603' });

    const journal = await openIn();
    expect(summary(journal.recovered)).toEqual(expected);
    await journal.appendDelivery(record(8), 'pending');
    expect((await readdir(dir)).filter((name) => name.startsWith('journal-')).sort()).toEqual([OLD, journalFileName(2)]);
    expect((await readFile(join(dir, OLD))).equals(before)).toBe(true); // never written again
    const after = (await readJournal(dir)).deliveries;
    expect(after).toHaveLength(8);
    expect(after.find((v) => v.id === 'id-0008')).toMatchObject(record(8));
  });

  it('an upgraded listener runs the handlers the old journal still owes, and knows its deliveries for dedupe', async () => {
    await copyFile(FIXTURE, join(dir, OLD));
    const handled: number[] = [];
    const t = await startTestListener({ dir, secrets: () => [FIXTURE_SECRET], handler: (d) => void handled.push((d.payload as { userkey: number }).userkey) });
    try {
      await t.listener.idle();
      expect(handled.sort()).toEqual([1002, 1004]); // the dead one and the pending one
      const first = (await readJournal(dir)).deliveries[0];
      const retry = await send(t.listener.url, signed(first?.body.toString('utf8') ?? '', FIXTURE_SECRET));
      expect(retry.json).toMatchObject({ received: true, duplicate: true });
      await t.listener.idle();
      expect(handled).toHaveLength(2);
    } finally {
      await t.close();
    }
  });

  it('rotation removes a format-1 file like any other, carrying its unfinished deliveries forward as frames', async () => {
    await copyFile(FIXTURE, join(dir, OLD));
    const original = (await readJournal(dir)).deliveries;
    const frameBytes = frame(record(10), 'done').length;
    const journal = await openIn({ maxBytes: frameBytes * 2, keepFiles: 2 });
    for (let n = 10; n < 16; n += 1) await journal.appendDelivery(record(n), 'done');
    await journal.close();
    opened.length = 0;
    const files = (await readdir(dir)).filter((name) => name.startsWith('journal-'));
    expect(files.every((name) => name.endsWith('.bin'))).toBe(true);

    const reopened = await openIn({ maxBytes: frameBytes * 2, keepFiles: 2 });
    const owed = reopened.recovered.filter((v) => v.code === 'ok' && (v.handler === 'pending' || v.handler === 'dead'));
    expect(owed).toEqual([original[1], original[6]]); // every field, the exact bytes included
  });

  it('skips and cuts a torn last line of a format-1 file, as format 1 did', async () => {
    const text = await readFile(FIXTURE);
    await writeFile(join(dir, OLD), text);
    await appendFile(join(dir, OLD), '{"type":"delivery","handler":"pend');
    const journal = await openIn();
    const [copy] = await cutCopies();
    expect(journal.warnings).toEqual([
      `${OLD}: skipped an incomplete last record (34 bytes) left by an interrupted write.`,
      `${OLD}: cut those 34 bytes off and kept them in ${copy}; after a crash they are a last write never acknowledged, and the copy can be deleted.`,
    ]);
    expect((await readFile(join(dir, OLD))).equals(text)).toBe(true);
    expect(await readFile(join(dir, copy ?? ''), 'utf8')).toBe('{"type":"delivery","handler":"pend');
    expect(summary(journal.recovered)).toEqual(expected);
  });
});

describe('the record frame (format 2)', () => {
  it('stores the body as its raw bytes and every other record field as it is, and reads back the same entry', () => {
    // Bytes a text format would have to escape: newlines, NULs, invalid UTF-8, and the frame's own magic.
    const body = Buffer.concat([Buffer.from('WBJ2\n\r\u0000'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.alloc(64 * 1024, 0xfb)]);
    const entry: JournalEntry = {
      type: 'delivery',
      handler: 'pending',
      record: { ...record(7, { body, bodyBytes: body.length }), ...{ addedLater: { status: 202 } } },
    };
    const bytes = encodeFrame(entry);
    const meta = JSON.stringify({ type: 'delivery', handler: 'pending', record: { ...entry.record, body: undefined } });
    expect(bytes.length).toBe(16 + Buffer.byteLength(meta) + body.length); // no base64: the body costs its own size
    expect(bytes.subarray(bytes.length - body.length).equals(body)).toBe(true);
    const decoded = decodeFrames(Buffer.concat([bytes, encodeFrame({ type: 'handler', id: 'id-0007', handler: 'done', at: '2024-01-01T00:00:01.000Z' })]));
    expect(decoded.tail).toBe('none');
    expect(decoded.frames.map((f) => f.entry)).toEqual([entry, { type: 'handler', id: 'id-0007', handler: 'done', at: '2024-01-01T00:00:01.000Z' }]);
  });

  it('a batch of outcomes is one buffer of whole frames, one per outcome, each decoding to its entry', () => {
    const at = '2024-01-01T00:00:01.000Z';
    const entries: HandlerEntry[] = [
      { type: 'handler', id: 'id-0001', handler: 'done', at },
      { type: 'handler', id: 'id-0002', handler: 'failed', error: 'an answer with “quotes” and ü', at },
      { type: 'handler', id: 'id-0003', handler: 'dead', error: 'boom', at },
    ];
    const { bytes, frames } = encodeBodilessFrames(entries);
    expect(frames.map((f) => f.buffer)).toEqual([bytes.buffer, bytes.buffer, bytes.buffer]); // views, not copies
    expect(Buffer.concat(frames).equals(bytes)).toBe(true);
    const decoded = decodeFrames(bytes);
    expect([decoded.tail, decoded.unreadableAt]).toEqual(['none', []]);
    expect(decoded.frames.map((f) => f.entry)).toEqual(entries);
    expect(decoded.frames.map((f, i) => f.bytes.equals(frames[i] as Buffer))).toEqual([true, true, true]);
    // Each frame stands alone: rotation carries one delivery's outcome forward without the rest of its batch.
    expect(decodeFrames(frames[1] as Buffer).frames.map((f) => f.entry)).toEqual([entries[1]]);
  });

  it('the writer gets the frame as a head and the body itself, not a copy; an empty body (on an empty ArrayBuffer) still checks', () => {
    const body = Buffer.alloc(64 * 1024, 0x61);
    const entry: JournalEntry = { type: 'delivery', handler: 'pending', record: record(9, { body, bodyBytes: body.length }) };
    const parts = encodeFrameParts(entry);
    expect(parts).toHaveLength(2);
    expect(parts[1]?.buffer).toBe(body.buffer); // the same memory
    expect(Buffer.concat(parts).equals(encodeFrame(entry))).toBe(true);
    // Buffer.concat([]) has a zero-length ArrayBuffer, for which Node 20's crc32 ignores its starting value.
    const empty = Buffer.concat([]);
    const emptyEntry: JournalEntry = { type: 'delivery', handler: 'not-run', record: record(10, { body: empty, bodyBytes: 0 }) };
    const decoded = decodeFrames(Buffer.concat(encodeFrameParts(emptyEntry)));
    expect([decoded.tail, decoded.frames.map((f) => f.entry)]).toEqual(['none', [emptyEntry]]);
  });
});

/** A format-2 frame for `entry`'s delivery, as the journal writes it. */
function frame(entry: DeliveryRecord, handler: 'pending' | 'done' = 'pending'): Buffer {
  return encodeFrame({ type: 'delivery', handler, record: entry });
}
