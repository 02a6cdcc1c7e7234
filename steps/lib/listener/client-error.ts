/**
 * Requests Node's HTTP parser refuses before express sees them (a control byte in a header,
 * headers over Node's size limit, a broken chunk, headers that never finish). Node would answer
 * them with a bare `400 Bad Request`; the listener answers with its usual JSON `{error, code}`
 * and journals them like any other request, so a probe through the tunnel is visible too.
 */
import type { Duplex } from 'node:stream';
import { arrivalOf, followsClosingAnswer, inFlightOn, isRefusedUnread, type Arrival } from './arrival.ts';
import { refusal } from './decision.ts';
import { recordAndAnswer, type AnswerContext } from './record-and-answer.ts';
import { REPLIES, type RejectionCode, sendOnSocket } from './replies.ts';

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
  // Bytes after a request that closes the connection (`Connection: close`, HTTP/1.0), or whose
  // answer does (a 411, a Host refusal): that answer is the connection's last, so they are never
  // read as a request and get no answer; a record of a 400 would claim an answer that is never
  // sent. The socket closes after that answer.
  if (code === 'HPE_CLOSED_CONNECTION' || (!refusedIsCurrent && followsClosingAnswer(socket))) {
    refusing.add(socket);
    if (current === undefined) socket.destroy();
    return;
  }
  // A connection that never sent a byte (a browser's preconnect, a port scan) timed out: it made no
  // request, so there is nothing to record or answer, only a socket to close.
  const silent = code === 'ERR_HTTP_REQUEST_TIMEOUT' && (socket as { bytesRead?: number }).bytesRead === 0;
  // A client that hung up, or an answer already on its way: writing more would corrupt the stream.
  if (silent || code === 'ECONNRESET' || !socket.writable || (refusedIsCurrent && current.res.headersSent)) {
    socket.destroy();
    return;
  }
  refusing.add(socket);
  // The request is being refused without its body read (404, 405...): that answer, which closes the
  // connection as the body is incomplete, and its record are the request's only ones.
  if (refusedIsCurrent && isRefusedUnread(current.req)) return;
  socket.on('error', () => {}); // the peer may reset while we answer
  const replyCode = CODES[code] ?? 'bad_request';
  const arrival = refusedIsCurrent ? current.arrival : arrivalFromPacket(socket, error as ParseError);
  const previous = refusedIsCurrent ? undefined : current?.res;
  const reason = `${REPLIES[replyCode].error} (${code}: ${error.message})`;
  const decision = refusal(replyCode, { bodyBytes: 0, reason, headers: { connection: 'close' } });
  const sendLast = sendOnSocket(socket);
  void recordAndAnswer(ctx, arrival, decision, (status, headers, body) => {
    const answer = () => sendLast(status, headers, body);
    if (previous === undefined || previous.writableFinished || previous.destroyed) answer();
    else previous.once('close', answer);
  }).catch(() => socket.destroy());
}

/** What Node's parser attaches to its error: the packet it was reading and where in it it stopped. */
interface ParseError extends Error {
  readonly rawPacket?: Buffer;
  readonly bytesParsed?: number;
}

/** The longest URL a refused request is recorded with (a longer one is cut, marked `…`). */
const MAX_URL_CHARS = 2048;

// A method as the client wrote it: any token (RFC 9110 5.6.2), so `post`, which Node refuses
// (methods are case-sensitive), is recorded as sent rather than as no method at all.
const METHOD = "([!#$%&'*+.^_`|~0-9A-Za-z-]{1,16})";
/** A whole request line, wherever it starts: a pipelined request follows the previous body directly. */
const REQUEST_LINE = new RegExp(`${METHOD} (\\S+) HTTP/\\d\\.\\d\\r?\\n`, 'g');
/** The start of a line that may be cut short (a URL too long for the parser). */
const LINE_START = new RegExp(`(?:^|\\n)${METHOD} (\\S+)`, 'g');

/**
 * Method and path of the refused request, best effort: the parser gave up on it. The packet may
 * hold requests answered before it (pipelined), so the refused one is the last request line that
 * starts before the point where parsing stopped; its line may end in a bare LF, or be cut short
 * when the URL itself was too long.
 */
function arrivalFromPacket(socket: Duplex, error: ParseError): Arrival {
  const packet = error.rawPacket ?? Buffer.alloc(0);
  const stop = Math.min(error.bytesParsed ?? packet.length, packet.length);
  const text = packet.subarray(0, stop + MAX_URL_CHARS + 32).toString('latin1');
  let found: { index: number; method: string; url: string } | undefined;
  for (const pattern of [REQUEST_LINE, LINE_START]) {
    for (const match of text.matchAll(pattern)) {
      const index = match.index + (match[0].startsWith('\n') ? 1 : 0);
      if (index > stop) break;
      if (found === undefined || index > found.index) found = { index, method: match[1] ?? '', url: match[2] ?? '' };
    }
  }
  const url = found?.url ?? '';
  return arrivalOf({
    method: found?.method ?? '',
    url: url.length > MAX_URL_CHARS ? `${url.slice(0, MAX_URL_CHARS)}…` : url,
    rawHeaders: [],
    headers: {},
    socket: socket as unknown as { remoteAddress?: string },
  });
}
