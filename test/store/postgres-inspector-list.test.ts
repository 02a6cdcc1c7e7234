/**
 * The inspector's list on Postgres (`npm run inspector`, or step 3's with DATABASE_URL) reads only
 * the bodies it summarises (64 KiB or less); a delivery's own page reads the first MiB it shows.
 * Before: the list read the whole body of each of up to 1000 rows, and with 10 rows of 63 MiB it
 * answered 500 after the 10 s statement timeout. Here 4 rows of 1 MiB stand for them, and the bytes
 * Postgres sends the inspector (through a counting proxy) show which bodies were read.
 */
import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startStandaloneInspector } from '../../scripts/inspector.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, largeDeliveries, pgConfig, rows, startPgListener, testDatabase } from '../helpers/postgres.ts';
import { migrateDatabase, openDatabase } from '../../steps/lib/store/index.ts';
import type { DeliveryView } from '../../steps/lib/delivery/index.ts';
import { send, sendJson } from '../inspector/http.ts';

const MIB = 1024 * 1024;

describe('Postgres store: the inspector list', () => {
  it('GET /api/deliveries does not read bodies over 64 KiB; GET /api/deliveries/:id reads a body of one MiB whole', async () => {
    const url = await testDatabase('inspector_list');
    const { listener } = await startPgListener(url);
    await largeDeliveries(url, 4, 1);
    const [small] = await burst([listener.url], [signed(userCreate(7))], { concurrency: 1 });
    const proxy = await countingProxy(url);
    const inspector = await startStandaloneInspector({ config: pgConfig(proxy.url, { INSPECT_PORT: '0' }), log: () => {} });
    onCleanup(() => inspector.close());

    const before = proxy.bytesFromPostgres();
    const listed = await sendJson(`${inspector.url}/api/deliveries`);
    const listBytes = proxy.bytesFromPostgres() - before;
    expect(listed.status).toBe(200);
    const { total, deliveries } = listed.body as { total: number; deliveries: { id: string; bodyBytes: number; eventFields: string }[] };
    expect(total).toBe(5);
    // The small one is still summarised from its body; the large ones by their size.
    expect(deliveries.map((d) => [d.id, d.bodyBytes, d.eventFields !== ''])).toEqual([
      [small?.body.id, expect.any(Number), true],
      ['large-4', MIB, false],
      ['large-3', MIB, false],
      ['large-2', MIB, false],
      ['large-1', MIB, false],
    ]);
    // Each large body is 2 MiB on the wire (bytea as hex): reading them all was 8 MiB.
    expect(listBytes).toBeLessThan(64 * 1024);

    const start = proxy.bytesFromPostgres();
    const detail = await sendJson(`${inspector.url}/api/deliveries/large-3`);
    expect(detail.status).toBe(200);
    expect((detail.body as { body: { kind: string; text: string } }).body).toMatchObject({ kind: 'text', text: '0123456789abcdef'.repeat(MIB / 16) });
    expect(proxy.bytesFromPostgres() - start).toBeGreaterThan(2 * MIB);
  });
});

describe("Postgres store: a delivery's detail", () => {
  // Measured on a 16 MiB body: the detail took 5.5 s reading it whole (SELECT body: 4.8 s), for a
  // page that shows its first MiB; SELECT substring(body from 1 for 1 MiB) took 71 ms.
  it('GET /api/deliveries/:id reads only the first MiB of a larger body; /body reads every byte, a MiB at a time', async () => {
    const url = await testDatabase('inspector_detail');
    await migrateDatabase(pgConfig(url), () => {});
    await largeDeliveries(url, 1, 3);
    const proxy = await countingProxy(url);
    const inspector = await startStandaloneInspector({ config: pgConfig(proxy.url, { INSPECT_PORT: '0' }), log: () => {} });
    onCleanup(() => inspector.close());

    const start = proxy.bytesFromPostgres();
    const detail = await sendJson(`${inspector.url}/api/deliveries/large-1`);
    // 3 MiB is 6 MiB on the wire (bytea as hex); its first MiB, 2 MiB.
    expect(proxy.bytesFromPostgres() - start).toBeLessThan(2 * MIB + 64 * 1024);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ bodyBytes: 3 * MIB, body: { kind: 'text', text: '0123456789abcdef'.repeat(MIB / 16), shownBytes: MIB } });

    const download = await send(`${inspector.url}/api/deliveries/large-1/body`);
    expect([download.status, download.headers['content-length']]).toEqual([200, String(3 * MIB)]);
    expect(download.bytes.equals(Buffer.from('0123456789abcdef'.repeat((3 * MIB) / 16)))).toBe(true);
    // Read a MiB at a time (2 MiB of hex per row), never as one 3 MiB value (6 MiB of hex): a
    // 16 MiB body was 32 MiB of hex in the inspector's memory before its first byte went out.
    expect(proxy.largestRow()).toBeGreaterThan(2 * MIB);
    expect(proxy.largestRow()).toBeLessThan(2 * MIB + 64 * 1024);
  });
});

describe('Postgres store: live updates', () => {
  it("a subscription with bodiesUpToBytes (the inspector's live list) gets a changed large row without its body; one without gets it whole", async () => {
    const url = await testDatabase('inspector_live');
    await migrateDatabase(pgConfig(url), () => {});
    await largeDeliveries(url, 1, 1);
    const store = await openDatabase(pgConfig(url), { role: 'reader' });
    onCleanup(() => store.close());
    const listed: DeliveryView[] = [];
    const whole: DeliveryView[] = [];
    onCleanup(store.subscribe((view) => listed.push(view), { bodiesUpToBytes: 64 * 1024 }));
    onCleanup(store.subscribe((view) => whole.push(view)));
    // What a worker's outcome announces (notifications.ts), sent until the store's LISTEN is in place.
    for (const deadline = Date.now() + 10_000; listed.length === 0 || whole.length === 0; ) {
      if (Date.now() > deadline) throw new Error('the change never reached the subscriptions');
      await rows(url, "SELECT pg_notify('workbench_delivery', 'large-1 done')");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(listed[0]).toMatchObject({ id: 'large-1', bodyBytes: MIB });
    expect(listed[0]?.body.length).toBe(0);
    expect(whole[0]?.body.length).toBe(MIB);
  });
});

interface CountingProxy {
  /** DATABASE_URL through the proxy. */
  readonly url: string;
  /** Bytes Postgres has sent through it so far. */
  bytesFromPostgres(): number;
  /** The largest row (DataRow message) Postgres has sent through it so far, in bytes. */
  largestRow(): number;
}

/**
 * Follows what Postgres sends on one connection as protocol messages (a type byte, then a length
 * that counts itself) and calls `onRow` with the length of each DataRow ('D').
 */
function rowSizes(onRow: (bytes: number) => void): (chunk: Buffer) => void {
  let header = Buffer.alloc(0);
  let skip = 0;
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (skip > 0) {
        const skipped = Math.min(skip, chunk.length - at);
        skip -= skipped;
        at += skipped;
        continue;
      }
      const taken = chunk.subarray(at, at + 5 - header.length);
      header = Buffer.concat([header, taken]);
      at += taken.length;
      if (header.length < 5) continue;
      const length = header.readInt32BE(1);
      if (header[0] === 0x44) onRow(length);
      skip = length - 4;
      header = Buffer.alloc(0);
    }
  };
}

/** A loopback TCP proxy to the Postgres of `url` that counts what Postgres sends; closed when the test ends. */
async function countingProxy(url: string): Promise<CountingProxy> {
  const target = new URL(url);
  let bytes = 0;
  let largestRow = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    track(client);
    track(upstream);
    const rows = rowSizes((rowBytes) => {
      largestRow = Math.max(largestRow, rowBytes);
    });
    upstream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      rows(chunk);
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  const proxied = new URL(url);
  proxied.port = String(typeof address === 'object' && address !== null ? address.port : 0);
  return { url: proxied.toString(), bytesFromPostgres: () => bytes, largestRow: () => largestRow };
}
