/**
 * `Expect` headers. `100-continue`: the client waits for `100 Continue` before it sends its body,
 * and only the webhook route reads a body, so only it sends the 100, once the announced size is
 * within the limit and the scheme's signature header is there (see receive.ts); every other answer
 * goes out without inviting the body, and Node then closes the connection, whose unsent body it
 * cannot skip.
 *
 * A request whose `Expect` header asks for anything but `100-continue`. Node answers those itself
 * with a bare 417 before the request reaches any handler, so nothing recorded them: the listener's
 * promise is that every request it answers is in the journal. This answers them as the listener
 * answers every refusal (JSON `{error, code}`), records them first, and closes the connection, as
 * the body was never read. (RFC 9110 lets a server refuse an expectation it does not meet with
 * 417; no webhook sender needs one.)
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { arrivalFor, followsClosingAnswer, noteRefusedUnread, trackRequest } from './arrival.ts';
import { refusal } from './decision.ts';
import { recordAndAnswer, type AnswerContext } from './record-and-answer.ts';
import { sendTo } from './replies.ts';

/** The server's `checkExpectation` listener. */
export function answerExpectationFailed(ctx: AnswerContext, req: IncomingMessage, res: ServerResponse): void {
  if (followsClosingAnswer(req.socket)) return; // never answered: see createListenerHandler
  trackRequest(req, res);
  noteRefusedUnread(req);
  const decision = refusal('expectation_failed', { bodyBytes: 0, headers: { connection: 'close' } });
  recordAndAnswer(ctx, arrivalFor(req), decision, sendTo(res)).catch(() => res.destroy());
}

/** Requests whose client waits for `100 Continue` that has not been sent yet. */
const awaitingContinue = new WeakSet<IncomingMessage>();

/** The server's `checkContinue` listener: `handle` gets the request, the 100 is not sent yet. */
export function holdContinue(handle: RequestListener): RequestListener {
  return (req, res) => {
    awaitingContinue.add(req);
    handle(req, res);
  };
}

/** Whether the client of `req` is waiting for `100 Continue` before it sends its body. */
export function awaitsContinue(req: IncomingMessage): boolean {
  return awaitingContinue.has(req);
}
