/**
 * Baseline (d): the ceiling for a DURABLE Node receiver. Baseline (a), plus what durability costs
 * on this disk and nothing else: each verified body is appended to a file and flushed with
 * fdatasync (group commit: bodies that arrive during a flush share the next one) before the 200.
 * Our listener does the same before it answers, so the gap between (a) and (d) is the disk's,
 * and the gap between (d) and ours is express, the journal record and the worker.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { closeServer, listenOnFreePort } from './listen.ts';
import type { StartReceiver } from './types.ts';

export const startDurableNode: StartReceiver = async ({ secret, stateDir }) => {
  const file = await open(join(stateDir, 'durable-baseline.log'), 'a', 0o600);
  let queue: { data: Buffer; done: () => void }[] = [];
  let flushing = false;
  const flush = async () => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      await file.write(Buffer.concat(batch.map((item) => item.data)));
      await file.datasync();
      for (const item of batch) item.done();
    }
    flushing = false;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const expected = Buffer.from(`HMACSHA256 ${createHmac('sha256', secret).update(body).digest('base64')}`);
      const received = Buffer.from(req.headers.authorization ?? '');
      if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
        res.statusCode = 400;
        res.end('Invalid request, non-matching HMAC-SHA256 received');
        return;
      }
      queue.push({ data: Buffer.concat([body, Buffer.from('\n')]), done: () => res.end('Success!') });
      if (!flushing) void flush();
    });
  });
  const port = await listenOnFreePort(server);
  return {
    port,
    description: 'node:http, HMAC over the raw bytes, timingSafeEqual, then append + fdatasync (group commit) before the 200',
    async close() {
      await closeServer(server);
      await file.close();
    },
  };
};
