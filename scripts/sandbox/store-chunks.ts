/**
 * The store file's bytes, made a piece at a time. With 10,000 pending deliveries (each keeping its
 * last attempts) the file is tens of MB, and one `JSON.stringify` of it, then encoding that string
 * for the write, held the sandbox still for seconds at every save: no token, no API call, no
 * delivery log page meanwhile. Here the deliveries are stringified and encoded a slice at a time,
 * each slice written before the next is made, and the event loop runs between slices.
 *
 * The bytes are still one moment's data: everything is copied when the call is made (the
 * deliveries one level deep: their fields change in place, but their attempts are replaced, never
 * changed), so a change made while the file is written waits for the next save, as it did before.
 *
 * @example
 * await writeFileAtomic(file, storeChunks(store.data)); // the UTF-8 of JSON.stringify(store.data), and a line break
 */
import { randomUUID } from 'node:crypto';
import type { StoreData } from './store.ts';

/** Deliveries per slice: 10-20 ms of work at 7 KB a delivery, short enough for a request to pass between. */
export const DELIVERIES_PER_SLICE = 100;

/** The UTF-8 of `JSON.stringify(data)` and a line break, as of the moment of the call, in slices. */
export function storeChunks(data: StoreData): AsyncIterable<Buffer> {
  // Now, not when the chunks are read: this is the moment the file shows.
  const deliveries = data.deliveries.map((delivery) => ({ ...delivery }));
  // The small parts are stringified now, in the file's key order, with a placeholder no value can
  // hold (a fresh UUID) where the deliveries go.
  const placeholder = `deliveries-${randomUUID()}`;
  const [head = '', tail = ''] = JSON.stringify({ ...data, deliveries: placeholder }).split(JSON.stringify(placeholder));
  return (async function* () {
    yield Buffer.from(`${head}[`);
    for (let start = 0; start < deliveries.length; start += DELIVERIES_PER_SLICE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const slice = deliveries.slice(start, start + DELIVERIES_PER_SLICE).map((delivery) => JSON.stringify(delivery));
      yield Buffer.from(`${start > 0 ? ',' : ''}${slice.join(',')}`);
    }
    yield Buffer.from(`]${tail}\n`);
  })();
}
