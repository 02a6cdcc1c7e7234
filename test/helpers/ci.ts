/**
 * Whether the suite runs in CI (`CI=true`, as CI sets it and `.ci/run` exports it). There every
 * service a test needs is installed first, so a test that would skip for a missing tool (Chromium,
 * wrk) runs instead and fails, naming what is missing: in CI nothing is skipped silently.
 */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Skip only where the tool is missing and this is not CI. */
export function skipWithout(available: boolean): boolean {
  return !available && !IN_CI;
}
