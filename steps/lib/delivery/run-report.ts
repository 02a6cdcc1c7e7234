/**
 * What a handler's return value (or a HandlerFailure's) reports, as it is stored: a forward try
 * (ForwardAttempt) rebuilt field by field from plain values, or nothing. A handler is typed to
 * return a RunReport or nothing, but JavaScript lets it return anything: `{ forward: 'yes' }`, an
 * object that refers to itself, a Proxy whose getters throw. Stored as it came, such a value made
 * the journal refuse the whole tick's outcomes (so runs that succeeded ran again at every start)
 * and failed a Postgres worker's whole batch.
 *
 * @example
 * reportOf({ forward: attempt })       // { forward: { url, at, latencyMs, response } }
 * reportOf({ forward: 'yes' })         // undefined
 * reportOf(42)                          // undefined
 */
import { isObject } from '../core/index.ts';
import type { RunReport } from './handler.ts';
import type { ForwardAttempt, ForwardResponse } from './record.ts';

/** The report in `value`, copied; undefined when it carries none (or one not of the documented shape). Never throws. */
export function reportOf(value: unknown): RunReport | undefined {
  try {
    if (!isObject(value)) return undefined;
    const forward = forwardAttemptOf(value.forward);
    return forward === undefined ? undefined : { forward };
  } catch {
    // A getter that throws, a revoked Proxy: nothing that can be stored.
    return undefined;
  }
}

function forwardAttemptOf(value: unknown): ForwardAttempt | undefined {
  if (!isObject(value)) return undefined;
  const { url, at, latencyMs, error } = value;
  if (typeof url !== 'string' || typeof at !== 'string' || typeof latencyMs !== 'number' || !(error === undefined || typeof error === 'string'))
    return undefined;
  const response = value.response === undefined ? undefined : forwardResponseOf(value.response);
  if (value.response !== undefined && response === undefined) return undefined;
  return { url, at, latencyMs, ...(response === undefined ? {} : { response }), ...(error === undefined ? {} : { error }) };
}

function forwardResponseOf(value: unknown): ForwardResponse | undefined {
  if (!isObject(value)) return undefined;
  const { status, headers, body, bodyTruncated } = value;
  if (typeof status !== 'number' || typeof body !== 'string' || typeof bodyTruncated !== 'boolean' || !Array.isArray(headers)) return undefined;
  const pairs: [string, string][] = [];
  for (const pair of headers as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') return undefined;
    pairs.push([pair[0], pair[1]]);
  }
  return { status, headers: pairs, body, bodyTruncated };
}
