/**
 * The journal when a write fails part-way (a full disk, or here a file size limit: a child process
 * under `prlimit --fsize`, test/helpers/file-size-limit.ts). Step 3 runs as a user runs it; the
 * delivery that does not fit is answered 503 and cut back off the file, so the file holds whole
 * frames only and the next delivery is stored behind them, readable after a restart.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal, readJournalEntries } from '../../steps/lib/journal/index.ts';
import { encodeFrame } from '../../steps/lib/journal/frame.ts';
import { withFileSizeLimit } from '../helpers/file-size-limit.ts';
import { send, signed, userCreate } from '../helpers/listener.ts';
import { startCommand } from '../helpers/process.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const STEP_3 = 'steps/03-listen-for-webhooks.ts';
const SECRET = 'failed-write-secret-0123456789abcdef';
/** Every file step 3 writes stays under this; the big delivery's frame alone is bigger. */
const FILE_LIMIT = 16 * 1024;
const READY = /^Listening for webhooks at (\S+) ·/m;

describe('step 3 when a journal write fails part-way', () => {
  it('answers 503, cuts the half frame off, and stores the next delivery behind the whole ones, readable after a restart', async () => {
    const stateDir = await tempDir('journal-failed-write');
    const env = { WORKBENCH_STATE_DIR: stateDir, WEBHOOK_SECRET: SECRET, LISTEN_PORT: '0', INSPECT_PORT: '0' };
    const limited = startCommand(withFileSizeLimit(FILE_LIMIT, [process.execPath, '--import', 'tsx', STEP_3]), { env, label: 'step 3 (file size limit)' });
    const url = (await limited.waitFor(READY))[1] as string;

    const first = await send(url, signed(userCreate(1), SECRET));
    expect(first.status, limited.stdout()).toBe(200);
    const big = await send(url, signed({ ...userCreate(2), padding: 'x'.repeat(FILE_LIMIT) }, SECRET));
    expect([big.status, big.json]).toEqual([503, { error: 'The delivery could not be stored; try again.', code: 'journal_unavailable' }]);
    const next = await send(url, signed(userCreate(3), SECRET));
    expect(next.status, limited.stdout()).toBe(200);
    expect(await limited.stop()).toBe(0);

    // The file is whole frames, byte for byte: the two stored deliveries (and their handlers' outcomes).
    const journal = join(stateDir, 'journal');
    const read = await readJournalEntries(journal);
    expect(read.warnings).toEqual([]);
    const ids = (answer: typeof first) => (answer.json as { id: string }).id;
    expect(read.entries.filter((entry) => entry.type === 'delivery').map((entry) => entry.record.id)).toEqual([ids(first), ids(next)]);
    expect(await readFile(join(journal, 'journal-000001.bin'))).toEqual(Buffer.concat(read.entries.map(encodeFrame)));

    // Reopened without the limit (as a restarted step 3 opens it): nothing to repair, and what comes next is stored behind them.
    const reopened = await openJournal({ dir: journal, maxBytes: 1 << 20, keepFiles: 4 });
    expect(reopened.warnings).toEqual([]);
    const later = validDeliveryRecord({ id: 'id-later', receivedAt: new Date().toISOString(), body: Buffer.from('{}') });
    await reopened.appendDelivery(later, 'pending');
    await reopened.close();
    const after = await readJournalEntries(journal);
    expect(after.warnings).toEqual([]);
    expect(after.entries.filter((entry) => entry.type === 'delivery').map((entry) => entry.record.id)).toEqual([ids(first), ids(next), later.id]);
  });
});
