/**
 * core's event streams: what a page follows live (the sandbox's delivery log). A client that reads
 * gets every event as `event:` + one `data:` line; one that stops reading is dropped once its unsent
 * bytes pass the bound, instead of the server queueing events for it without end.
 */
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventStreams, type EventStreams } from '../../steps/lib/core/event-stream.ts';
import { SECURITY_HEADERS } from '../../steps/lib/core/local-guard.ts';
import { until } from '../helpers/until.ts';

let server: Server | undefined;
let streams: EventStreams | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  streams?.closeAll();
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(maxBufferedBytes: number, dropped: IncomingMessage[]): Promise<number> {
  const open = createEventStreams({ headers: SECURITY_HEADERS, maxBufferedBytes, onDrop: (req) => dropped.push(req) });
  const listening = createServer((req, res) => open.open(req, res));
  streams = open;
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  return (listening.address() as AddressInfo).port;
}

/** A raw client that sends the request and then reads (everything, chunk framing included) only if told to. */
function client(port: number, read: boolean): { socket: Socket; text: () => string } {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let text = '';
  socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  if (read) socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  else socket.pause();
  return { socket, text: () => text };
}

describe('createEventStreams()', () => {
  it('sends each event as `event:` and one `data:` line of JSON, with the given headers', async () => {
    const port = await serve(1024 * 1024, []);
    const response = await new Promise<IncomingMessage>((resolve) => get(`http://127.0.0.1:${port}/events`, resolve));
    let body = '';
    response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    await until(() => streams?.size() === 1, 5_000);
    streams?.broadcast('delivery', { id: 'a', body: 'line one\nline two' });
    await until(() => body.includes('line two'), 5_000);
    response.destroy();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(SECURITY_HEADERS['content-security-policy']);
    expect(body).toBe(': connected\n\nevent: delivery\ndata: {"id":"a","body":"line one\\nline two"}\n\n');
  });

  it('drops a client that does not read once its unsent bytes pass the bound, and keeps one that reads', async () => {
    const dropped: IncomingMessage[] = [];
    const bound = 256 * 1024;
    const port = await serve(bound, dropped);
    const stalled = client(port, false);
    const reader = client(port, true);
    await until(() => streams?.size() === 2, 5_000);
    const event = { filler: 'x'.repeat(16 * 1024) };
    // The kernel's socket buffers take a few MB first; after that the stalled stream's own buffer grows.
    let sent = 0;
    while (dropped.length === 0 && sent < 64 * 1024 * 1024) {
      streams?.broadcast('delivery', event);
      sent += 16 * 1024;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(dropped).toHaveLength(1);
    expect(streams?.size()).toBe(1);
    expect(stalled.text()).toBe(''); // it never read a byte
    streams?.broadcast('delivery', { id: 'after' });
    await until(() => reader.text().includes('{"id":"after"}'), 10_000);
  });
});
