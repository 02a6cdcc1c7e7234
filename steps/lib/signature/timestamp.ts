/**
 * The replay window of timestamped schemes: the signed timestamp must be within `toleranceSec`
 * of the receiver's clock, both ways (Standard Webhooks: 5 minutes, see standard-webhooks.ts).
 */
import { fail } from './result.ts';
import type { VerifyInput, VerifyResult } from './types.ts';

export const DEFAULT_TOLERANCE_SEC = 5 * 60;
// Twelve digits reach the year 33658: anything longer is not a Unix time in seconds.
const UNIX_SECONDS = /^\d{1,12}$/;

/** Whole Unix seconds, or undefined for anything else ("hello", "1.5", "-3", milliseconds...). */
export function parseUnixSeconds(raw: string): number | undefined {
  return UNIX_SECONDS.test(raw) ? Number(raw) : undefined;
}

/** The receiver's clock in whole seconds (injectable through `input.now`). */
export function nowSeconds(input: Pick<VerifyInput, 'now'>): number {
  return Math.floor((input.now?.() ?? Date.now()) / 1000);
}

/** A stale or future timestamp failure, or undefined when `timestamp` is inside the window. */
export function checkWindow(timestamp: number, input: VerifyInput, label: string): VerifyResult | undefined {
  const tolerance = input.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  const age = nowSeconds(input) - timestamp;
  if (age > tolerance) {
    return fail('stale_timestamp', `${label} is ${formatDuration(age)} old, more than the ${formatDuration(tolerance)} allowed.`);
  }
  if (-age > tolerance) {
    return fail('future_timestamp', `${label} is ${formatDuration(-age)} in the future, more than the ${formatDuration(tolerance)} allowed.`);
  }
  return undefined;
}

/** "7 min 12 s", "2 h 5 min", "40 s": short enough for one line. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.abs(Math.round(totalSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
