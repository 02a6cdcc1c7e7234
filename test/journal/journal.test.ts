/**
 * The journal on disk: what survives a crash (torn last record), rotation by size with unfinished
 * work carried forward, reading without a listener, the lock, and "on disk before the answer".
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import type { DeliveryRecord } from '../../steps/lib/delivery/record.ts';
import { STATE_LOCKED, StateError } from '../../steps/lib/core/errors.ts';
import { openJournal, readJournal, type Journal } from '../../steps/lib/journal/journal.ts';
import { encodeEntry, journalFileName } from '../../steps/lib/journal/format.ts';
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
    await journal.appendOutcome('id-0001', 'done');
    await journal.appendOutcome('id-0002', 'failed', 'database down');
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
    const torn = encodeEntry({ type: 'delivery', handler: 'pending', record: record(2) }).slice(0, 57);
    await writeFile(file, encodeEntry({ type: 'delivery', handler: 'pending', record: record(1) }) + torn);
    const logs: string[] = [];
    const journal = await openIn({ log: (line) => logs.push(line) });
    const warning = `${journalFileName(1)}: skipped an incomplete last record (57 bytes) left by an interrupted write.`;
    expect(journal.warnings).toEqual([warning]);
    expect(logs).toEqual([`journal: ${warning}`]);
    expect(journal.recovered.map((d) => d.id)).toEqual(['id-0001']);

    await journal.appendDelivery(record(3), 'pending');
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { record: { id: string } }).record.id),
    ).toEqual(['id-0001', 'id-0003']);
    expect(await readJournal(dir)).toMatchObject({ warnings: [] });
  });

  it('skips an unreadable line in the middle with a warning naming the file and line', async () => {
    await writeFile(
      join(dir, journalFileName(1)),
      `${encodeEntry({ type: 'delivery', handler: 'done', record: record(1) })}{"type":"delivery","oops"\n${encodeEntry({ type: 'delivery', handler: 'done', record: record(2) })}`,
    );
    const { deliveries, warnings } = await readJournal(dir);
    expect(deliveries.map((d) => d.id)).toEqual(['id-0001', 'id-0002']);
    expect(warnings).toEqual([`${journalFileName(1)}: skipped unreadable record on line 2.`]);
  });

  it('rotates at maxBytes, keeps keepFiles files, and readJournal reads across them', async () => {
    // Records 10..29 all encode to lines of the same length.
    const lineBytes = Buffer.byteLength(encodeEntry({ type: 'delivery', handler: 'done', record: record(10) }));
    const journal = await openIn({ maxBytes: lineBytes * 3, keepFiles: 3 });
    for (let n = 10; n < 30; n += 1) await journal.appendDelivery(record(n), 'done');
    const files = (await readdir(dir)).filter((name) => name.endsWith('.ndjson')).sort();
    // 20 records, 3 per file: files 1..7, of which the newest 3 are kept.
    expect(files).toEqual([journalFileName(5), journalFileName(6), journalFileName(7)]);
    const { deliveries } = await readJournal(dir);
    expect(deliveries.map((d) => d.id)).toEqual(Array.from({ length: 8 }, (_, i) => `id-${String(22 + i).padStart(4, '0')}`));
    for (const file of files) expect((await readFile(join(dir, file))).length).toBeLessThanOrEqual(lineBytes * 3);
  });

  it('carries an unfinished delivery forward when its file is rotated away, so it is still owed after a restart', async () => {
    const lineBytes = Buffer.byteLength(encodeEntry({ type: 'delivery', handler: 'done', record: record(1) }));
    const journal = await openIn({ maxBytes: lineBytes * 2, keepFiles: 2 });
    await journal.appendDelivery(record(1), 'pending'); // never finishes
    await journal.appendDelivery(record(2), 'pending');
    await journal.appendOutcome('id-0002', 'failed', 'boom');
    for (let n = 3; n <= 12; n += 1) await journal.appendDelivery(record(n), 'done');
    await journal.close();
    opened.length = 0;
    expect((await readdir(dir)).filter((name) => name.endsWith('.ndjson'))).toHaveLength(2);

    const reopened = await openIn({ maxBytes: lineBytes * 2, keepFiles: 2 });
    const owed = reopened.recovered.filter((d) => d.handler === 'pending' || d.handler === 'failed');
    expect(owed.map((d) => [d.id, d.handler, d.handlerError])).toEqual([
      ['id-0001', 'pending', undefined],
      ['id-0002', 'failed', 'boom'],
    ]);
    // Oldest first by arrival, even though the carried copies sit in a newer file.
    expect(reopened.recovered[0]?.id).toBe('id-0001');
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
    const outcome = journal.appendOutcome('id-0001', 'done');
    await journal.appendDelivery(record(2), 'pending');
    await outcome;
    expect(datasync).toHaveBeenCalledTimes(1);
    const views = (await readJournal(dir)).deliveries.map((d) => [d.id, d.handler]);
    expect(views).toEqual([
      ['id-0001', 'done'],
      ['id-0002', 'pending'],
    ]);
  });

  it('an outcome on its own still reaches the disk, shortly after, and before close() returns', async () => {
    const journal = await openIn();
    await journal.appendDelivery(record(1), 'pending');
    await journal.appendOutcome('id-0001', 'done');
    expect((await readJournal(dir)).deliveries.map((d) => d.handler)).toEqual(['done']);

    await journal.appendDelivery(record(2), 'pending');
    void journal.appendOutcome('id-0002', 'failed', 'boom');
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

describe('encodeEntry()', () => {
  it('writes a large body spliced in, and the line reads back as exactly the same entry', async () => {
    const { encodeEntry, parseEntry } = await import('../../steps/lib/journal/format.ts');
    const body = Buffer.alloc(64 * 1024, 0xfb); // base64 of 0xfb bytes is full of '+' and '/'
    const entry = {
      type: 'delivery' as const,
      handler: 'pending' as const,
      record: record(7, { bodyBase64: body.toString('base64'), bodyBytes: body.length }),
    };
    const line = encodeEntry(entry);
    expect(line.endsWith('}\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(entry)));
    expect(parseEntry(line.trimEnd())).toEqual(entry);
  });
});
