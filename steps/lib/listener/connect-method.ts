/**
 * `CONNECT host:port`: a request to open a tunnel through this server, which a webhook listener
 * never does. Node hands CONNECT to a `connect` listener with the bare socket, and with none it
 * closes the socket without a word, so nothing recorded the request. The listener answers it as
 * any request for a path that is not the webhook route (404 `not_found`), records it first, and
 * closes the connection.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { arrivalFor } from './arrival.ts';
import { refusal } from './decision.ts';
import { recordAndAnswer, type AnswerContext } from './record-and-answer.ts';
import { sendOnSocket } from './replies.ts';

/** The server's `connect` listener. Never throws; always ends with the socket closed. */
export function answerConnect(ctx: AnswerContext, req: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => {}); // the peer may reset while we answer
  const decision = refusal('not_found', { bodyBytes: 0, headers: { connection: 'close' } });
  recordAndAnswer(ctx, arrivalFor(req), decision, sendOnSocket(socket)).catch(() => socket.destroy());
}
