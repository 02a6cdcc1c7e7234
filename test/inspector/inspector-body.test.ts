/**
 * A big body in the detail view: with LISTEN_BODY_LIMIT raised (up to 64 MiB), the detail sent all
 * of it (a body that is not UTF-8 as base64, about 4–5 times its size built in step 3's process,
 * which is the listener's), and the page put it into one element. The detail now sends the first
 * BODY_PREVIEW_BYTES, and `GET /api/deliveries/:id/body` the exact bytes, from the file journal
 * and from Postgres alike.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startInspector, type Inspector } from '../../steps/lib/inspector/inspector.ts';
import { BODY_PREVIEW_BYTES } from '../../steps/lib/inspector/view.ts';
import { openJournal } from '../../steps/lib/journal/journal.ts';
import { fileStore } from '../../steps/lib/store/file/file-store.ts';
import { openStore } from '../../steps/lib/store/open.ts';
import type { DeliveryStore } from '../../steps/lib/store/store.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { pgConfig, testDatabase } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { send, sendJson } from './http.ts';

/** Just over the preview, and not UTF-8 (0xff never is): the case that went out as base64 whole. */
function binaryBody(): Buffer {
  const bytes = Buffer.alloc(BODY_PREVIEW_BYTES + 4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 0xff) & 0xff;
  return bytes;
}

async function openFileStore(): Promise<DeliveryStore> {
  return fileStore(await openJournal({ dir: join(await tempDir('inspector-body'), 'journal'), maxBytes: 8 * 1024 * 1024, keepFiles: 2 }));
}

const ENGINES: readonly { readonly name: string; readonly open: () => Promise<DeliveryStore> }[] = [
  { name: 'file journal', open: openFileStore },
  { name: 'Postgres', open: async () => openStore(pgConfig(await testDatabase('inspector_body')), { role: 'listener' }) },
];

async function inspect(store: DeliveryStore): Promise<Inspector> {
  const inspector = await startInspector({ port: 0, store, replayUrl: 'http://127.0.0.1:9/webhooks' });
  onCleanup(() => inspector.close());
  return inspector;
}

describe.each(ENGINES)('a body over the preview, from the $name', ({ open }) => {
  it('the detail sends its first bytes only and says how many; /body downloads every byte', async () => {
    const store = await open();
    onCleanup(() => store.close());
    const body = binaryBody();
    await store.append(validDeliveryRecord({ id: 'big-binary', receivedAt: new Date().toISOString(), body }), 'not-run');
    const inspector = await inspect(store);

    const detail = await send(`${inspector.url}/api/deliveries/big-binary`);
    expect(detail.status).toBe(200);
    const shown = (JSON.parse(detail.text) as { bodyBytes: number; body: { kind: string; base64: string; shownBytes: number; hexTruncated: boolean } }).body;
    expect({ kind: shown.kind, shownBytes: shown.shownBytes, hexTruncated: shown.hexTruncated }).toEqual({
      kind: 'binary',
      shownBytes: BODY_PREVIEW_BYTES,
      hexTruncated: true,
    });
    expect(Buffer.from(shown.base64, 'base64').equals(body.subarray(0, BODY_PREVIEW_BYTES))).toBe(true);
    // The whole body in base64 would be 4/3 of it: the answer stays about the size of the preview.
    expect(detail.bytes.length).toBeLessThan(body.length * 1.4);
    expect(detail.bytes.length).toBeLessThan((BODY_PREVIEW_BYTES * 4) / 3 + 32 * 1024);

    const download = await send(`${inspector.url}/api/deliveries/big-binary/body`);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toBe('attachment; filename="delivery-big-binary.bin"');
    expect(download.headers['content-length']).toBe(String(body.length));
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.bytes.equals(body)).toBe(true);
  });
});

describe.each(ENGINES)('the detail of a body read only in part, from the $name', ({ open }) => {
  // Postgres reads only the preview for the detail: it ends inside a '€' (three bytes), which must
  // not make the body binary, and the body must still count as kept (a refused one, as not kept).
  it('shows text cut inside a character up to it, as kept; a body refused unread, as not kept', async () => {
    const store = await open();
    onCleanup(() => store.close());
    const body = Buffer.from(`ab${'€'.repeat(BODY_PREVIEW_BYTES / 2)}`);
    await store.append(validDeliveryRecord({ id: 'cut-text', receivedAt: new Date().toISOString(), body }), 'not-run');
    const refused = validDeliveryRecord(
      { id: 'refused', receivedAt: new Date().toISOString(), body: Buffer.alloc(0) },
      { bodyBytes: 5_000_000, status: 413, verdict: 'rejected', code: 'body_too_large' },
    );
    await store.append(refused, 'not-run');
    const inspector = await inspect(store);

    const detail = (await sendJson(`${inspector.url}/api/deliveries/cut-text`)).body as {
      bodyBytes: number;
      body: { kind: string; text: string; shownBytes: number };
    };
    expect([detail.bodyBytes, detail.body.kind, detail.body.shownBytes]).toEqual([body.length, 'text', BODY_PREVIEW_BYTES - 2]);
    expect(detail.body.text).toBe(`ab${'€'.repeat(Math.floor((BODY_PREVIEW_BYTES - 2) / 3))}`);
    expect((await send(`${inspector.url}/api/deliveries/cut-text/body`)).bytes.equals(body)).toBe(true);
    expect((await sendJson(`${inspector.url}/api/deliveries/refused`)).body).toMatchObject({ body: { kind: 'not-kept', bytes: 5_000_000 } });
  });
});

describe('GET /api/deliveries/:id/body', () => {
  it('cuts UTF-8 text at a whole character and downloads it exactly', async () => {
    const store = await openFileStore();
    onCleanup(() => store.close());
    // 'é' is two bytes: the preview's last byte falls inside one, which must not become U+FFFD.
    const text = Buffer.from(`a${'é'.repeat(BODY_PREVIEW_BYTES / 2 + 10)}`);
    await store.append(validDeliveryRecord({ id: 'big-text', receivedAt: new Date().toISOString(), body: text }), 'not-run');
    const inspector = await inspect(store);
    const detail = (await sendJson(`${inspector.url}/api/deliveries/big-text`)).body as { body: { kind: string; text: string; shownBytes: number } };
    expect(detail.body.kind).toBe('text');
    expect(detail.body.shownBytes).toBe(BODY_PREVIEW_BYTES - 1);
    expect(detail.body.text).toBe(`a${'é'.repeat(BODY_PREVIEW_BYTES / 2 - 1)}`);
    expect((await send(`${inspector.url}/api/deliveries/big-text/body`)).bytes.equals(text)).toBe(true);
  });

  it('answers only this machine and its own page, GET only, and says when there is no body to download', async () => {
    const store = await openFileStore();
    onCleanup(() => store.close());
    const refused = validDeliveryRecord(
      { id: 'refused-unread', receivedAt: new Date().toISOString(), body: Buffer.alloc(0) },
      { bodyBytes: 5_000_000, status: 413, verdict: 'rejected', code: 'body_too_large' },
    );
    await store.append(refused, 'not-run');
    await store.append(validDeliveryRecord({ id: 'empty', receivedAt: new Date().toISOString(), body: Buffer.alloc(0) }), 'not-run');
    const inspector = await inspect(store);
    const url = `${inspector.url}/api/deliveries/refused-unread/body`;
    expect(await sendJson(url)).toMatchObject({
      status: 409,
      body: {
        code: 'body_not_kept',
        error: 'Delivery refused-unread has no body to download: its 5000000 bytes were not kept, because the listener refused them unread (body_too_large).',
      },
    });
    const empty = await send(`${inspector.url}/api/deliveries/empty/body`);
    expect([empty.status, empty.headers['content-length'], empty.bytes.length]).toEqual([200, '0', 0]);
    expect(await sendJson(`${inspector.url}/api/deliveries/nope/body`)).toMatchObject({ status: 404, body: { code: 'unknown_delivery' } });
    expect(await sendJson(url, { headers: { 'sec-fetch-site': 'cross-site' } })).toMatchObject({ status: 403, body: { code: 'cross_site' } });
    expect(await sendJson(url, { headers: { host: `rebind.example:${new URL(inspector.url).port}` } })).toMatchObject({
      status: 403,
      body: { code: 'bad_host' },
    });
    const post = await sendJson(url, { method: 'POST' });
    expect([post.status, post.headers.allow, post.body]).toEqual([
      405,
      'GET',
      { error: 'POST is not allowed on /api/deliveries/refused-unread/body; use GET.', code: 'method_not_allowed' },
    ]);
  });
});
