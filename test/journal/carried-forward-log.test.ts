/**
 * A delivery still owed when rotation removes its file is carried forward into the new one. Its
 * forward log (LISTEN_FORWARD_TO's tries) must come with it: after the old file is gone and the
 * listener restarts, the count and the recent tries are what they were, not only the last try.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ForwardAttempt } from '../../steps/lib/delivery/record.ts';
import { FORWARD_LOG_KEEP } from '../../steps/lib/delivery/outcome.ts';
import { type HandlerEntry, journalFileName, type JournalEntry } from '../../steps/lib/journal/format.ts';
import { encodeFrame } from '../../steps/lib/journal/frame.ts';
import { openJournal, readJournal } from '../../steps/lib/journal/journal.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const OWED = 'id-owed';

function record(id: string, n: number) {
  return validDeliveryRecord({ id, receivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), body: Buffer.from(`{"n":${n}}`) });
}

function attempt(n: number): ForwardAttempt {
  return { url: 'http://127.0.0.1:8000/hook', at: new Date(Date.UTC(2026, 0, 1, 1, 0, n)).toISOString(), latencyMs: n, error: `ECONNREFUSED try ${n}` };
}

/** A journal where OWED's forward failed `tries` times, then enough deliveries that every file holding them was rotated away (twice). */
async function journalWithCarriedTries(tries: number): Promise<{ dir: string; logs: string[] }> {
  const dir = await tempDir('carried-forward-log');
  const logs: string[] = [];
  const options = { dir, maxBytes: 2048, keepFiles: 1, log: (line: string) => logs.push(line) };
  const journal = await openJournal(options);
  await journal.appendDelivery(record(OWED, 0), 'pending');
  for (let n = 1; n <= tries; n += 1) {
    await journal.appendOutcomes([{ id: OWED, handler: n === tries ? 'dead' : 'failed', error: `try ${n} failed`, report: { forward: attempt(n) } }]);
  }
  for (let n = 1; n <= 30; n += 1) await journal.appendDelivery(record(`id-${n}`, n), 'done');
  await journal.close();
  return { dir, logs };
}

describe('rotation carries a delivery forward with its whole forward log', () => {
  it('three failed forwards, the file rotated away, a restart: the view still counts 3 tries and shows all three', async () => {
    const { dir, logs } = await journalWithCarriedTries(3);
    // The premise: the delivery's own file is gone, and it was carried more than once.
    expect(logs.filter((line) => line.includes('carried 1 unfinished deliveries forward')).length).toBeGreaterThan(1);
    expect((await readdir(dir)).filter((name) => name.endsWith('.bin'))).not.toContain('journal-000001.bin');

    const reopened = await openJournal({ dir, maxBytes: 2048, keepFiles: 1 });
    await reopened.close();
    const view = reopened.recovered.find((d) => d.id === OWED);
    expect([view?.handler, view?.handlerError]).toEqual(['dead', 'try 3 failed']);
    expect(view?.forward).toEqual({ attempts: 3, recent: [attempt(1), attempt(2), attempt(3)] });
    expect((await readJournal(dir)).deliveries.find((d) => d.id === OWED)?.forward).toEqual(view?.forward);
  });

  it(`more tries than the log keeps (${FORWARD_LOG_KEEP}): the true count survives the carry, with the newest tries`, async () => {
    const tries = FORWARD_LOG_KEEP + 3;
    const { dir } = await journalWithCarriedTries(tries);
    const view = (await readJournal(dir)).deliveries.find((d) => d.id === OWED);
    const newest = Array.from({ length: FORWARD_LOG_KEEP }, (_, i) => attempt(tries - FORWARD_LOG_KEEP + 1 + i));
    expect(view?.forward).toEqual({ attempts: tries, recent: newest });
  });

  it('a crash between the carry and the removal leaves both copies: reading them counts no try twice', async () => {
    const dir = await tempDir('carried-forward-log');
    const tries = [1, 2, 3].map(
      (n): HandlerEntry => ({ type: 'handler', id: OWED, handler: 'failed', error: `try ${n} failed`, at: attempt(n).at, forward: attempt(n) }),
    );
    const delivery: JournalEntry = { type: 'delivery', handler: 'pending', record: record(OWED, 0) };
    const last = tries[2] as HandlerEntry;
    const carried: HandlerEntry = { ...last, forwardLog: { attempts: 3, recent: [attempt(1), attempt(2), attempt(3)] } };
    await writeFile(join(dir, journalFileName(1)), Buffer.concat([delivery, ...tries].map(encodeFrame)));
    await writeFile(join(dir, journalFileName(2)), Buffer.concat([delivery, carried].map(encodeFrame)));
    const view = (await readJournal(dir)).deliveries.find((d) => d.id === OWED);
    expect(view?.forward).toEqual({ attempts: 3, recent: [attempt(1), attempt(2), attempt(3)] });
  });
});
