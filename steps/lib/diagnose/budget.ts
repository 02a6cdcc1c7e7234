/**
 * How much diagnosing the listener does for senders it cannot trust. A diagnosis re-serializes the
 * body and tries a few dozen HMACs over it (about 80 ms for 1 MiB of JSON), for a request anyone
 * who can reach the listener may send with a wrong signature: unbounded, a dozen such requests a
 * second take a whole core from the deliveries. So the listener diagnoses up to BYTES_PER_SECOND
 * of bodies a second (each body counted as at least MIN_CHARGE_BYTES), a bucket that refills
 * continuously; past it, a failed signature's line says it was not diagnosed.
 *
 * @example
 * const budget = diagnosisBudget();
 * if (budget.take(body.length)) explain(); else note(budget.skipped);
 */

/** Body bytes diagnosed per second, and the most that can be spent at once. */
export const BYTES_PER_SECOND = 1024 * 1024;
/** What one diagnosis costs at least, however small its body: its HMACs and its header probes. */
const MIN_CHARGE_BYTES = 4096;

export interface DiagnosisBudget {
  /** Spends what a diagnosis of `bodyBytes` costs; false (nothing spent) when the budget cannot pay it. */
  take(bodyBytes: number): boolean;
  /** What the log line says instead of a diagnosis. */
  readonly skipped: string;
}

/** A budget that starts full; `now` in milliseconds (default performance.now). */
export function diagnosisBudget(now: () => number = () => performance.now()): DiagnosisBudget {
  let available = BYTES_PER_SECOND;
  let at = now();
  return {
    take(bodyBytes) {
      const t = now();
      available = Math.min(BYTES_PER_SECOND, available + ((t - at) / 1000) * BYTES_PER_SECOND);
      at = t;
      const cost = Math.max(MIN_CHARGE_BYTES, bodyBytes);
      // A body larger than the whole budget is diagnosed when the budget is full: it still gets one.
      if (cost > available && available < BYTES_PER_SECOND) return false;
      available -= cost;
      return true;
    },
    skipped: '(Not diagnosed: the listener diagnoses failed signatures up to 1 MiB of bodies a second, and this second’s share is spent.)',
  };
}
