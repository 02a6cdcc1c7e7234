/**
 * Delivery bodies for the throughput runs: Bracken-shaped `User_Create` JSON (the sandbox's
 * payload fields, shared/bracken-api.md §2) padded to an exact size and signed with the real
 * scheme (`bracken.sign`), so every receiver sees what Bracken would send.
 *
 * Every body is distinct (its own userkey and username): our listener treats an identical body
 * as a retry of the same delivery, and a bench of duplicates would measure its dedupe path, not
 * the path a real delivery takes. Bodies are built from a template (two fixed-width counters) so
 * the per-request cost in the load generator is one copy and one HMAC, the same for every receiver.
 *
 * Bodies are compact, ASCII-only JSON: the tutorial's `JSON.stringify(req.body)` reproduces them
 * byte for byte and answers 200, which keeps baseline (c) honest.
 *
 * @example
 * const next = deliveryFactory({ secret, bytes: 300 });
 * const { body, headers } = next(); // body.length === 300, headers.authorization 'HMACSHA256 …'
 */
import { bracken } from '../../steps/lib/signature/index.ts';

export interface SignedBody {
  readonly body: Buffer;
  /** content-type and authorization, as the sender would send them. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface DeliveryFactoryOptions {
  readonly secret: string;
  /** Exact size of every body, in bytes (at least about 170: the fields themselves). */
  readonly bytes: number;
  /** The event time written into every body; defaults to now. */
  readonly timestamp?: string;
  /** The first counter value; the factory counts up from it. */
  readonly first?: number;
}

/** Width of the counter in the userkey and username: 10 digits, so 9·10⁹ distinct bodies. */
const COUNTER_DIGITS = 10;
const COUNTER_BASE = 1_000_000_000;

/**
 * The fixed parts of every body: a body is `head + N + middle + N + tail`, N a 10-digit counter.
 * The wrk script (load/wrk-signed.lua) builds its bodies from these same parts.
 */
export interface DeliveryTemplate {
  readonly head: Buffer;
  readonly middle: Buffer;
  readonly tail: Buffer;
  readonly bytes: number;
}

/** The template for bodies of exactly `bytes` bytes; throws RangeError when that is too small. */
export function deliveryTemplate(options: Omit<DeliveryFactoryOptions, 'secret' | 'first'>): DeliveryTemplate {
  const timestamp = options.timestamp ?? new Date().toISOString();
  const head = Buffer.from('{"eventname":"User_Create","domainkey":15435,"userkey":');
  const middle = Buffer.from(',"username":"Bench-User-');
  const tailStart = `","timestamp":${JSON.stringify(timestamp)},"padding":"`;
  const fixed = head.length + middle.length + tailStart.length + 2 + 2 * COUNTER_DIGITS;
  const padding = options.bytes - fixed;
  if (padding < 0) throw new RangeError(`[bench] a body needs at least ${fixed} bytes, asked for ${options.bytes}`);
  return { head, middle, tail: Buffer.from(`${tailStart}${'x'.repeat(padding)}"}`), bytes: options.bytes };
}

/** The 10 digits of counter value `n` (n from 0 to 8,999,999,999). */
export function counterDigits(n: number): string {
  return String(COUNTER_BASE + n);
}

/** A function returning a new distinct, signed body of exactly `bytes` bytes on every call. */
export function deliveryFactory(options: DeliveryFactoryOptions): () => SignedBody {
  const { head, middle, tail, bytes } = deliveryTemplate(options);
  let counter = options.first ?? 0;
  return () => {
    const digits = Buffer.from(counterDigits(counter++));
    const body = Buffer.concat([head, digits, middle, digits, tail], bytes);
    return { body, headers: { 'content-type': 'application/json', ...bracken.sign({ body, secret: options.secret }) } };
  };
}
