/**
 * A handler run's outcome applied to a delivery's view, the same way everywhere a view is kept
 * (the journal's fold, the file store, the listener's live feed): the new handler state and error,
 * and, when the run forwarded the delivery (LISTEN_FORWARD_TO), that try added to its forward log.
 *
 * @example
 * withOutcome(view, 'failed', 'your app answered 503', { forward: attempt }).forward // { attempts: 1, recent: [attempt] }
 */
import type { RunReport } from './handler.ts';
import type { DeliveryView, ForwardAttempt, ForwardLog, HandlerState } from './record.ts';

/** Forward tries kept per delivery (the count goes on); as many as the sandbox keeps attempts. */
export const FORWARD_LOG_KEEP = 10;

/** `log` with `attempt` added: one more try counted, the oldest kept one dropped past FORWARD_LOG_KEEP. */
export function withForwardAttempt(log: ForwardLog | undefined, attempt: ForwardAttempt): ForwardLog {
  const recent = [...(log?.recent ?? []), attempt];
  return { attempts: (log?.attempts ?? 0) + 1, recent: recent.slice(-FORWARD_LOG_KEEP) };
}

/** `view` after a run that left it `handler` (with `error` when it failed) and reported `report`. */
export function withOutcome(view: DeliveryView, handler: HandlerState, error: string | undefined, report: RunReport | undefined): DeliveryView {
  const forward = report?.forward === undefined ? {} : { forward: withForwardAttempt(view.forward, report.forward) };
  return { ...view, handler, handlerError: error, ...forward };
}
