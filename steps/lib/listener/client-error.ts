/**
 * Requests Node's HTTP parser refuses before express sees them (a control byte in a header,
 * headers over Node's size limit, a broken chunk, headers that never finish). Node would answer
 * them with a bare `400 Bad Request`; the listener answers with its usual JSON `{error, code}`
 * and journals them like any other request, so a probe through the tunnel is visible too.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { arrivalOf, inFlightOn, type Arrival } from './arrival.ts';
import { refusal } from './decision.ts';
import { recordAndAnswer, type AnswerContext } from './record-and-answer.ts';
import { REPLIES, type RejectionCode } from './replies.ts';

const CODES: Readonly<Record<string, RejectionCode>> = {
  HPE_HEADER_OVERFLOW: 'headers_too_large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
};

/**
 * Sockets whose refusal is already being stored and answered. Once its parser has failed, Node
 * reports the error again for every chunk that socket sends after it, and the answer waits for the
 * journal: one connection streaming an oversized header made 70 records a second (issue 14).
 */
const refusing = new WeakSet<Duplex>();

/** The server's `clientError` listener. Never throws; always ends with the socket closed. */
export function answerClientError(ctx: AnswerContext, error: Error, socket: Duplex): void {
  if (refusing.has(socket)) return; // the same broken request again: it gets one record, one answer
  const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
  const current = inFlightOn(socket);
  // The refused bytes belong to the in-flight request only while its body is still arriving (a
  // broken chunk). Once it is complete they are the NEXT, pipelined request: that one gets its own
  // record, and its answer waits for the in-flight one (HTTP/1.1 answers in order).
  const refusedIsCurrent = current !== undefined && !current.req.complete;
  // A client that hung up, or an answer already on its way: writing more would corrupt the stream.
  if (code === 'ECONNRESET' || !socket.writable || (refusedIsCurrent && current.res.headersSent)) {
    socket.destroy();
    return;
  }
  refusing.add(socket);
  socket.on('error', () => {}); // the peer may reset while we answer
  const replyCode = CODES[code] ?? 'bad_request';
  const arrival = refusedIsCurrent ? current.arrival : arrivalFromPacket(socket, (error as { rawPacket?: Buffer }).rawPacket);
  const previous = refusedIsCurrent ? undefined : current?.res;
  const reason = `${REPLIES[replyCode].error} (${code}: ${error.message})`;
  const decision = refusal(replyCode, { bodyBytes: 0, reason, headers: { connection: 'close' } });
  void recordAndAnswer(ctx, arrival, decision, (status, headers, body) => {
    const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
    for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
    head.push(`content-length: ${Buffer.byteLength(body)}`);
    const answer = () => {
      socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
      // A client that never reads its answer must not keep the socket.
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    if (previous === undefined || previous.writableFinished || previous.destroyed) answer();
    else previous.once('close', answer);
  }).catch(() => socket.destroy());
}

/** Method and path from the start of the refused bytes, best effort: the parser gave up on them. */
function arrivalFromPacket(socket: Duplex, packet: Buffer | undefined): Arrival {
  const firstLine = (packet ?? Buffer.alloc(0)).subarray(0, 2048).toString('latin1').split('\r\n')[0] ?? '';
  const match = /^([A-Z]{1,16}) (\S{1,2000}) HTTP\/\d\.\d$/.exec(firstLine);
  return arrivalOf({
    method: match?.[1] ?? '',
    url: match?.[2] ?? '',
    rawHeaders: [],
    headers: {},
    socket: socket as unknown as { remoteAddress?: string },
  });
}
