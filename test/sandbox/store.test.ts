/**
 * The sandbox store's writes (store.ts): a caller hears about the write that carries its change, and
 * `transact` takes a change back when its write fails, leaving other changes alone (issue 14, fault 2).
 * The failing write here is a store file whose folder is a file; the real full disk is in full-disk.test.ts.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_WRITE_FAILED } from '../../steps/lib/core/errors.ts';
import { openStore, type StoreData, type StoredDelivery, type StoredUser } from '../../scripts/sandbox/store.ts';
import { DELIVERIES_PER_SLICE, storeChunks } from '../../scripts/sandbox/store-chunks.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const user = (userkey: number): StoredUser => ({
  userkey,
  username: `User-${userkey}`,
  firstname: null,
  lastname: null,
  email: null,
  domainkey: 15435,
  created: '2026-01-05T09:00:00.000Z',
  modified: '2026-01-05T09:00:00.000Z',
});

describe('openStore(file)', () => {
  it('every save() resolves once its own change is on disk, even while another write runs', async () => {
    const file = join(await tempDir('store'), 'sandbox', 'store-1.json');
    const store = await openStore(file);
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      store.data.users.push(user(1001 + i));
      const count = store.data.users.length;
      saves.push(
        store.save().then(async () => {
          const onDisk = JSON.parse(await readFile(file, 'utf8')) as { users: StoredUser[] };
          expect(onDisk.users.length).toBeGreaterThanOrEqual(count);
        }),
      );
    }
    await Promise.all(saves);
  });

  it('transact() undoes only its own change when the write fails, throws STATE_WRITE_FAILED, and leaves no temp file', async () => {
    const dir = await tempDir('store');
    const store = await openStore(join(dir, 'sandbox', 'store-1.json'));
    await writeFile(join(dir, 'sandbox'), 'a file where the folder should be');
    store.data.users.push(user(1)); // someone else's change, not in this transaction

    const mine = user(2);
    const error = await store
      .transact(() => {
        store.data.users.push(mine);
        return { result: 'created', undo: () => store.data.users.splice(store.data.users.indexOf(mine), 1) };
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StateError', code: STATE_WRITE_FAILED });
    expect(store.data.users.map((u) => u.userkey)).toEqual([1]);
    expect(await readdir(dir)).toEqual(['sandbox']);

    // Once the folder can be written, the same change goes through.
    await rm(join(dir, 'sandbox'));
    await mkdir(join(dir, 'sandbox'));
    expect(await store.transact(() => ({ result: 'created', undo: () => undefined }))).toBe('created');
  });

  // With thousands of pending deliveries the store is tens of MB, rewritten after every batch of
  // attempts: two-space indentation made a third of those bytes.
  it('writes the store as compact JSON (one line), and still loads one written pretty-printed by an older sandbox', async () => {
    const file = join(await tempDir('store'), 'sandbox', 'store-1.json');
    const store = await openStore(file);
    store.data.users.push(user(1001));
    await store.save();
    const text = await readFile(file, 'utf8');
    expect(text).toBe(`${JSON.stringify(store.data)}\n`);

    await writeFile(file, `${JSON.stringify(JSON.parse(text), null, 2)}\n`); // the format stores had before
    const reopened = await openStore(file);
    expect(reopened.data).toEqual(store.data);
  });
});

describe('storeChunks(data)', () => {
  const delivery = (n: number): StoredDelivery => ({
    id: `d-${n}`,
    eventname: 'User_Create',
    domainkey: 15435,
    target: 'http://127.0.0.1:5000/webhooks',
    body: `{"eventname":"User_Create","userkey":${n}}`,
    authorization: 'HMACSHA256 c2lnbmF0dXJl',
    createdAt: '2026-01-05T09:00:00.000Z',
    status: 'pending',
    attempts: 0,
    attemptLog: [],
    nextAttemptAt: null,
    lastAttemptAt: null,
    lastStatus: null,
    lastError: null,
    deliveredAt: null,
    reason: null,
    endedAt: null,
  });
  const text = async (chunks: AsyncIterable<Buffer>) => {
    const all: Buffer[] = [];
    for await (const chunk of chunks) all.push(chunk);
    return Buffer.concat(all).toString('utf8');
  };
  const bigStore = (): StoreData => ({
    version: 1,
    signingKey: 'key',
    nextUserkey: 1003,
    subscriptions: [],
    users: [user(1001), { ...user(1002), username: 'Jos\u00e9-\u{1F600}' }],
    deliveries: Array.from({ length: 3 * DELIVERIES_PER_SLICE + 1 }, (_, i) => delivery(i)),
    learning: { nextKey: 1, modules: [], courses: [], completions: [], certificates: [] },
  });

  it('is the UTF-8 of JSON.stringify(data) and a line break, key order and non-ASCII included', async () => {
    const data = bigStore();
    expect(await text(storeChunks(data))).toBe(`${JSON.stringify(data)}\n`);
    expect(await text(storeChunks({ ...data, deliveries: [] }))).toBe(`${JSON.stringify({ ...data, deliveries: [] })}\n`);
  });

  it('lets the event loop run between slices of deliveries, and shows the data as it was when called', async () => {
    const data = bigStore();
    const before = `${JSON.stringify(data)}\n`;
    let turns = 0;
    let counting = true;
    const count = () => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const chunks = storeChunks(data);
    // What changes meanwhile (in place, as the delivery engine changes a delivery) waits for the next save.
    const last = data.deliveries.at(-1) as StoredDelivery; // in the last slice, stringified after the loop turned
    last.status = 'delivered';
    last.attempts = 1;
    data.deliveries.push(delivery(9999));
    data.users.pop();
    expect(await text(chunks)).toBe(before);
    counting = false;
    // Four slices: the loop turned between each (a single JSON.stringify would have let it turn only after).
    expect(turns).toBeGreaterThanOrEqual(3);
  });
});
