/**
 * The listener's `Next:` line for a store that fails: said with the first delivery it could not
 * store, not again until one has been stored. During an outage every request still gets its own
 * log line with the code (record-and-answer.ts); the advice would only repeat itself under each.
 *
 * @example
 * const outage = new StoreOutage();
 * outage.failed(); // true: say the Next: line
 * outage.failed(); // false
 * outage.stored(); // the store answers again: the next failure is a new outage
 */
export class StoreOutage {
  #said = false;

  /** A delivery was not stored; true when this begins an outage (its Next: line is due). */
  failed(): boolean {
    if (this.#said) return false;
    this.#said = true;
    return true;
  }

  /** A delivery was stored: an outage, if there was one, is over. */
  stored(): void {
    this.#said = false;
  }
}
