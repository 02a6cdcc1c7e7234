/**
 * A request whose `Expect` header asks for anything but `100-continue`. Node answers those itself
 * with a bare 417 before the request reaches any handler, so nothing recorded them: the listener's
 * promise is that every request it answers is in the journal. This answers them as the listener
 * answers every refusal (JSON `{error, code}`), records them first, and closes the connection, as
 * the body was never read. (RFC 9110 lets a server refuse an expectation it does not meet with
 * 417; no webhook sender needs one.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { arrivalFor, trackRequest } from './arrival.ts';
import { refusal } from './decision.ts';
import { recordAndAnswer, type AnswerContext } from './record-and-answer.ts';
import { sendTo } from './replies.ts';

/** The server's `checkExpectation` listener. */
export function answerExpectationFailed(ctx: AnswerContext, req: IncomingMessage, res: ServerResponse): void {
  trackRequest(req, res);
  const decision = refusal('expectation_failed', { bodyBytes: 0, headers: { connection: 'close' } });
  recordAndAnswer(ctx, arrivalFor(req), decision, sendTo(res)).catch(() => res.destroy());
}
