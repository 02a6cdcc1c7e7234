/**
 * DEDUPE_RETENTION with the file engine (issue 14, fault 5a): a sender's retry is a duplicate for
 * the retention whatever journal rotation removed, across a restart; an expired key is forgotten.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEDUPE_KEYS_FILE, openJournal } from '../../steps/lib/journal/index.ts';
import { claimsFromJournal } from '../../steps/lib/store/file/claims.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { journalRecords, send, signed, startTestListener, userCreate, type TestListener } from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const DAY = 24 * 3600 * 1000;

/** A listener over a journal of one small file: every rotation deletes the file before. */
async function tinyJournalListener(dir: string, handled: string[], dedupeRetentionMs?: number): Promise<TestListener> {
  const journal = await openJournal({ dir, maxBytes: 4096, keepFiles: 1, ...(dedupeRetentionMs === undefined ? {} : { dedupeRetentionMs }) });
  const t = await startTestListener({ dir, journal, handler: (d) => void handled.push(d.id) });
  onCleanup(() => t.close());
  return t;
}

describe('file store: dedupe keys outlive journal rotation', () => {
  it('after rotation deleted its file and a restart, the same signed bytes are a duplicate and the handler runs once', async () => {
    const dir = await tempDir('dedupe-retention');
    const handled: string[] = [];
    const delivery = signed(userCreate(1));
    const first = await tinyJournalListener(dir, handled);
    const original = await send(first.listener.url, delivery);
    expect(original.status).toBe(200);
    const firstId = (original.json as { id: string }).id;
    for (let n = 2; n <= 8; n++) expect((await send(first.listener.url, signed(userCreate(n)))).status).toBe(200);
    await first.listener.idle();
    await first.close();
    // The premise: the journal no longer holds the first delivery.
    expect((await journalRecords(dir)).map((r) => r.id)).not.toContain(firstId);
    expect(await readFile(join(dir, DEDUPE_KEYS_FILE), 'utf8')).toContain(`"id":"${firstId}"`);

    const second = await tinyJournalListener(dir, handled);
    const again = await send(second.listener.url, delivery);
    await second.listener.idle();
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ received: true, duplicate: true });
    expect(handled.filter((id) => id === firstId)).toHaveLength(1);
    expect(handled).toHaveLength(8); // 8 distinct deliveries, each handled once; the retry not at all
    const retry = (await journalRecords(dir)).find((r) => r.id === (again.json as { id: string }).id);
    expect(retry?.reason).toContain(`a duplicate of ${firstId}`);
  });

  it('forgets keys older than the retention: those bytes run the handler again, and the file is rewritten without them once they are most of it', async () => {
    const dir = await tempDir('dedupe-retention');
    const delivery = signed(userCreate(1));
    const handled: string[] = [];
    const first = await tinyJournalListener(dir, handled);
    await send(first.listener.url, delivery);
    for (let n = 2; n <= 8; n++) await send(first.listener.url, signed(userCreate(n)));
    await first.listener.idle();
    await first.close();
    // Age every remembered key by 8 days, past the default 7.
    const file = join(dir, DEDUPE_KEYS_FILE);
    const aged = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => {
        const key = JSON.parse(line) as { key: string; id: string; at: string };
        return `${JSON.stringify({ ...key, at: new Date(Date.parse(key.at) - 8 * DAY).toISOString() })}\n`;
      });
    // And 3,000 more expired keys, as a long run leaves them: most of the file is dead lines.
    const old = new Date(Date.now() - 30 * DAY).toISOString();
    const dead = Array.from({ length: 3000 }, (_, i) => `${JSON.stringify({ key: `sha256:old-${i}`, id: `old-${i}`, at: old })}\n`);
    await writeFile(file, [...aged, ...dead].join(''));

    const second = await tinyJournalListener(dir, handled);
    expect(second.journal.rememberedKeys).toEqual([]);
    const again = await send(second.listener.url, delivery);
    await second.listener.idle();
    expect(again.json).not.toHaveProperty('duplicate');
    expect(handled).toHaveLength(9);
    // The next rotation appends its keys, then rewrites the file without the expired ones (closing waits for that).
    for (let n = 10; n <= 14; n++) await send(second.listener.url, signed(userCreate(n)));
    await second.listener.idle();
    await second.close();
    const kept = (await readFile(file, 'utf8')).trim().split('\n');
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(20);
    for (const line of kept) expect(Date.now() - Date.parse((JSON.parse(line) as { at: string }).at)).toBeLessThan(DAY);
  });

  it('when the keys cannot be saved, rotation keeps the journal file instead, and the retry is still a duplicate', async () => {
    const dir = await tempDir('dedupe-retention');
    await mkdir(join(dir, DEDUPE_KEYS_FILE)); // a folder in its place: every append fails
    const logs: string[] = [];
    const handled: string[] = [];
    const delivery = signed(userCreate(1));
    const journal = await openJournal({ dir, maxBytes: 4096, keepFiles: 1, log: (line) => logs.push(line) });
    const first = await startTestListener({ dir, journal, handler: (d) => void handled.push(d.id) });
    onCleanup(() => first.close());
    const firstId = ((await send(first.listener.url, delivery)).json as { id: string }).id;
    for (let n = 2; n <= 8; n++) await send(first.listener.url, signed(userCreate(n)));
    await first.listener.idle();
    await first.close();
    expect((await journalRecords(dir)).map((r) => r.id)).toContain(firstId);
    expect(logs.some((line) => /^journal: kept journal-000001\.bin past JOURNAL_KEEP_FILES, since its dedupe keys could not be saved: /.test(line))).toBe(true);

    const second = await tinyJournalListener(dir, handled);
    expect((await send(second.listener.url, delivery)).json).toMatchObject({ duplicate: true });
    await second.listener.idle();
    expect(handled).toHaveLength(8);
  });

  it('a shorter DEDUPE_RETENTION is honoured too', async () => {
    const dir = await tempDir('dedupe-retention');
    const handled: string[] = [];
    const first = await tinyJournalListener(dir, handled, 60_000);
    await send(first.listener.url, signed(userCreate(1)));
    for (let n = 2; n <= 8; n++) await send(first.listener.url, signed(userCreate(n)));
    await first.close();
    const file = join(dir, DEDUPE_KEYS_FILE);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const old = JSON.parse(lines[0] ?? '') as { at: string };
    await writeFile(file, [`${JSON.stringify({ ...old, at: new Date(Date.now() - 61_000).toISOString() })}`, ...lines.slice(1), ''].join('\n'));
    const reopened = await openJournal({ dir, maxBytes: 4096, keepFiles: 1, dedupeRetentionMs: 60_000 });
    onCleanup(() => reopened.close());
    expect(reopened.rememberedKeys).toHaveLength(lines.length - 1);
  });
});

describe('claimsFromJournal()', () => {
  it('a key is a duplicate within the retention, and new again once its first copy is older', async () => {
    let now = 1_000_000;
    const claims = claimsFromJournal([], { remembered: [{ key: 'sha256:a', id: 'first', at: now - 500 }], retentionMs: 1000, now: () => now });
    expect(await claims.firstCopyOrClaim('sha256:a', 'second')).toEqual({ duplicateOf: 'first' });
    now += 501;
    const fresh = await claims.firstCopyOrClaim('sha256:a', 'third');
    expect(fresh.duplicateOf).toBeUndefined();
    if (fresh.duplicateOf === undefined) fresh.settleStored(true);
    expect(await claims.firstCopyOrClaim('sha256:a', 'fourth')).toEqual({ duplicateOf: 'third' });
  });

  it('a copy arriving while the first is being stored waits for it: a duplicate once it is stored, the new first copy when storing failed', async () => {
    const claims = claimsFromJournal([], { retentionMs: 60_000 });
    const first = await claims.firstCopyOrClaim('sha256:b', 'first');
    if (first.duplicateOf !== undefined) throw new Error('the first copy must claim the key');
    const second = claims.firstCopyOrClaim('sha256:b', 'second');
    let answered = false;
    void second.then(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false); // still waiting on the first copy's write
    first.settleStored(true);
    expect(await second).toEqual({ duplicateOf: 'first' });

    const failing = await claims.firstCopyOrClaim('sha256:c', 'failing');
    if (failing.duplicateOf !== undefined) throw new Error('the first copy must claim the key');
    const retry = claims.firstCopyOrClaim('sha256:c', 'retry');
    failing.settleStored(false);
    const taken = await retry;
    expect(taken.duplicateOf).toBeUndefined(); // the retry is now the first copy
    if (taken.duplicateOf === undefined) taken.settleStored(true);
    expect(await claims.firstCopyOrClaim('sha256:c', 'third')).toEqual({ duplicateOf: 'retry' });
  });
});
