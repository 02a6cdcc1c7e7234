/**
 * Races between the journal write and what the network does meanwhile (found in review): a
 * sender's retry while the first copy is still being stored, a client that leaves during the
 * write, and a malformed request pipelined behind a valid one. In each, nothing acknowledged
 * may be lost and every stored delivery's handler must run.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openJournal, readJournal, type Journal } from '../../steps/lib/journal/journal.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { parseRaw, send, SECRET, signed, startTestListener, userCreate, type TestListener } from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

/**
 * A real journal whose delivery appends are delayed (a slow fdatasync) and, optionally, the first one
 * fails. `firstAppend` resolves when the first append has begun: the tests act on that, never on a
 * guess of how long the listener takes to get there (a busy machine takes longer).
 */
async function slowJournal(options: {
  delayMs: number;
  failFirst?: boolean;
  onlyOk?: boolean;
}): Promise<{ journal: Journal; dir: string; firstAppend: Promise<void> }> {
  const dir = await tempDir('races');
  const real = await openJournal({ dir, maxBytes: 1 << 20, keepFiles: 3 });
  onCleanup(() => real.close());
  let appends = 0;
  let began = () => {};
  const firstAppend = new Promise<void>((resolve) => (began = resolve));
  const journal: Journal = {
    ...real,
    recovered: real.recovered,
    warnings: real.warnings,
    dir: real.dir,
    appendDelivery: async (record, handler) => {
      began();
      if (options.onlyOk !== true || record.code === 'ok') await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      appends += 1;
      // As fs rejects a write on a full disk.
      if (options.failFirst === true && appends === 1)
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      return real.appendDelivery(record, handler);
    },
    close: async () => {},
  };
  return { journal, dir, firstAppend };
}

async function listenerWith(journal: Journal, dir: string, handled: string[]): Promise<TestListener> {
  const t = await startTestListener({ dir, journal, handler: (d) => void handled.push(d.id) });
  onCleanup(() => t.listener.close());
  return t;
}

describe('listener races with the journal', () => {
  it("a retry arriving while the first copy's write fails is stored and handled, not answered as a duplicate", async () => {
    const { journal, dir, firstAppend } = await slowJournal({ delayMs: 150, failFirst: true });
    const handled: string[] = [];
    const t = await listenerWith(journal, dir, handled);
    const delivery = signed(userCreate(1));
    const first = send(t.listener.url, delivery);
    await firstAppend; // the first copy is being stored (and will fail)
    const retry = send(t.listener.url, delivery);
    const [a, b] = [await first, await retry];
    expect([a.status, (a.json as { code: string }).code]).toEqual([503, 'journal_unavailable']);
    // Said with the code, and what to do, once: the retry was stored.
    const notStored = t.logs.filter((line) => line.includes('(NOT stored: '));
    expect(notStored).toEqual([expect.stringMatching(/ \(NOT stored: Cannot write \S+: the disk is full \(ENOSPC\)\. \[WORKBENCH_STATE_WRITE_FAILED\]\)$/)]);
    expect(t.logs[t.logs.indexOf(notStored[0] as string) + 1]).toBe(
      `Next: Free some space or fix the permissions of ${dir}: until then the listener answers 503 (journal_unavailable), and senders retry.`,
    );
    expect(b.status).toBe(200);
    expect(b.json).not.toHaveProperty('duplicate');
    await t.listener.idle();
    expect(handled).toEqual([(b.json as { id: string }).id]);
    expect((await readJournal(dir)).deliveries.map((v) => `${v.status} ${v.code}/${v.handler}`)).toEqual(['200 ok/done']);
  });

  it('a client that leaves while its delivery is being stored: the stored delivery is still handled now', async () => {
    const { journal, dir, firstAppend } = await slowJournal({ delayMs: 200 });
    const handled: string[] = [];
    const t = await listenerWith(journal, dir, handled);
    const { body, headers } = signed(userCreate(2));
    const socket = connect(t.listener.port, '127.0.0.1', () => {
      const head = Object.entries({ ...headers, host: 'x', 'content-length': String(body.length) }).map(([k, v]) => `${k}: ${v}`);
      socket.write(`POST /webhooks HTTP/1.1\r\n${head.join('\r\n')}\r\n\r\n`);
      socket.write(body);
    });
    socket.on('error', () => {});
    await firstAppend;
    socket.destroy(); // gone while the journal write is in flight
    await until(() => handled.length > 0);
    await t.listener.idle();
    expect(handled).toHaveLength(1);
    expect((await readJournal(dir)).deliveries.map((v) => `${v.code}/${v.handler}`)).toEqual(['ok/done']);
  });

  it('a malformed request pipelined behind a valid one gets its own record and its 400 after the 200', async () => {
    const { journal, dir } = await slowJournal({ delayMs: 150, onlyOk: true });
    const handled: string[] = [];
    const t = await listenerWith(journal, dir, handled);
    const { body, headers } = signed(userCreate(3), SECRET);
    const head = Object.entries({ ...headers, host: 'x', 'content-length': String(body.length) }).map(([k, v]) => `${k}: ${v}`);
    const raw = await new Promise<string>((resolve) => {
      let got = '';
      const socket = connect(t.listener.port, '127.0.0.1', () => {
        socket.write(`POST /webhooks HTTP/1.1\r\n${head.join('\r\n')}\r\n\r\n${body.toString()}POST /webhooks HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`);
      });
      socket.on('data', (chunk) => (got += chunk.toString()));
      socket.on('error', () => {});
      socket.on('close', () => resolve(got));
    });
    // Responses follow each other on the wire with no separator after a body.
    const statuses = [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    expect(statuses, raw).toEqual([200, 400]);
    await t.listener.idle();
    expect(handled).toHaveLength(1);
    const views = (await readJournal(dir)).deliveries;
    // Stored in whichever order the writes finished; the answers on the wire were in order.
    expect(views.map((v) => `${v.status} ${v.code}/${v.handler}`).sort()).toEqual(['200 ok/done', '400 bad_request/not-run']);
    expect(new Set(views.map((v) => v.id)).size).toBe(2);
  });

  it('one connection streaming an oversized header while its 431 is being stored is journaled once (issue 14)', async () => {
    // Node's parser reports the overflow again for every chunk that follows: before the fix each
    // one became a record (70 in a second, all but the first with method and URL "-").
    const { journal, dir } = await slowJournal({ delayMs: 150 });
    const t = await listenerWith(journal, dir, []);
    const chunk = `X-Filler-${'a'.repeat(4090)}: b\r\n`;
    const raw = await new Promise<string>((resolve) => {
      let got = '';
      let open = true;
      const socket = connect(t.listener.port, '127.0.0.1', () => {
        // The first packet alone is over Node's 16 KiB header limit, so the refusal knows its request line.
        socket.write(`POST /webhooks HTTP/1.1\r\nHost: x\r\n${chunk.repeat(5)}`);
        // Then keep streaming header lines for as long as the listener lets the socket live.
        const stream = () => {
          if (!open) return;
          socket.write(chunk);
          setTimeout(stream, 2);
        };
        stream();
      });
      socket.on('data', (data) => (got += data.toString('latin1')));
      socket.on('error', () => {});
      socket.on('close', () => {
        open = false;
        resolve(got);
      });
    });
    expect(parseRaw(raw)).toMatchObject({ status: 431, body: { code: 'headers_too_large' } });
    const views = (await readJournal(dir)).deliveries;
    expect(views.map((v) => [v.method, v.url, v.status, v.code])).toEqual([['POST', '/webhooks', 431, 'headers_too_large']]);
  });
});
