/**
 * The inspector over the file store, as step 3 runs it, on a journal upgraded in place: deliveries
 * from a format-1 file (NDJSON, body in base64) and from the format-2 file after it (raw bytes in a
 * frame) are listed and opened alike, with the body exactly as received.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalFileName } from '../../steps/lib/journal/format.ts';
import { openJournal } from '../../steps/lib/journal/journal.ts';
import { startInspector } from '../../steps/lib/inspector/inspector.ts';
import { fileStore } from '../../steps/lib/store/file/file-store.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { sendJson } from './http.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/journal-format-1/journal-000001.ndjson');

describe('inspector over a format-1 + format-2 journal', () => {
  it('lists deliveries from both files and opens each with its exact body', async () => {
    const dir = await tempDir('inspector-journal');
    await copyFile(FIXTURE, join(dir, journalFileName(1, 'ndjson')));
    const upgraded = await openJournal({ dir, maxBytes: 1 << 20, keepFiles: 3 });
    // A body that is not UTF-8: format 2 stores the bytes as they are.
    const binary = Buffer.from([0xff, 0x00, 0x7b, 0x0a, 0xfe]);
    const newer = validDeliveryRecord({ id: 'format-2-delivery', receivedAt: new Date().toISOString(), body: binary });
    await upgraded.appendDelivery(newer, 'not-run');
    await upgraded.close();
    // What step 3 does on its next start: both files recovered.
    const journal = await openJournal({ dir, maxBytes: 1 << 20, keepFiles: 3 });
    const store = fileStore(journal);
    onCleanup(() => store.close());
    const inspector = await startInspector({ port: 0, store, replayUrl: 'http://127.0.0.1:9/webhooks' });
    onCleanup(() => inspector.close());

    const list = (await sendJson(`${inspector.url}/api/deliveries`)).body as { total: number; deliveries: { id: string }[] };
    expect(list.total).toBe(8); // 7 from the format-1 file, 1 from the format-2 file
    expect(list.deliveries[0]?.id).toBe('format-2-delivery');

    const oldest = journal.recovered[0];
    const opened = await sendJson(`${inspector.url}/api/deliveries/${oldest?.id}`);
    expect(opened.status).toBe(200);
    const oldBody = (opened.body as { body: { kind: string; text: string } }).body;
    expect(oldBody.kind).toBe('json');
    expect(JSON.parse(oldBody.text)).toMatchObject({ eventname: 'User_Create', userkey: 1001 });
    const fromFrame = await sendJson(`${inspector.url}/api/deliveries/format-2-delivery`);
    expect(fromFrame.status).toBe(200);
    expect((fromFrame.body as { body: unknown }).body).toMatchObject({ kind: 'binary', base64: binary.toString('base64'), hexTruncated: false });
  });
});
