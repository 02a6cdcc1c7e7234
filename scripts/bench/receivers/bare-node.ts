/**
 * Baseline (a): the ceiling for a Node receiver. The shape of the plain `node:http` example in
 * seed 003 (collect the chunks, HMAC-SHA256 them, `timingSafeEqual`), adapted to Bracken's
 * `Authorization: HMACSHA256 <base64>` header. It hashes the Buffer directly; the seed's
 * `toString()` / `Buffer.from(…, 'utf8')` round trip only costs time and can change bytes.
 * No framework, no JSON parsing, no journal: anything slower than this is overhead we chose.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { closeServer, listenOnFreePort } from './listen.ts';
import type { StartReceiver } from './types.ts';

export const startBareNode: StartReceiver = async ({ secret }) => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const digest = createHmac('sha256', secret).update(Buffer.concat(chunks)).digest('base64');
      const expected = Buffer.from(`HMACSHA256 ${digest}`);
      const received = Buffer.from(req.headers.authorization ?? '');
      // timingSafeEqual throws on a length mismatch; the seed assumes the header is right.
      if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
        res.statusCode = 400;
        res.end('Invalid request, non-matching HMAC-SHA256 received');
        return;
      }
      res.end('Success!');
    });
  });
  const port = await listenOnFreePort(server);
  return { port, description: 'node:http, HMAC over the raw bytes, timingSafeEqual', close: () => closeServer(server) };
};
