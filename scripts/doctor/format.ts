/**
 * The doctor's report as a person reads it: one line per check (✔ / ⚠ / ✘), the fix indented
 * under a ⚠ or ✘, and a last line that sums up.
 */
import type { CheckStatus } from './check.ts';
import type { DoctorReport } from './run.ts';

export const MARKS: Readonly<Record<CheckStatus, string>> = { ok: '✔', warn: '⚠', fail: '✘' };

export function formatReport(report: DoctorReport): string[] {
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${MARKS[check.status]} ${check.summary}`);
    if (check.fix !== undefined) lines.push(`  → ${check.fix}`);
  }
  if (report.notRun.length > 0) lines.push(`Not run until the configuration is valid: ${report.notRun.join(', ')}.`);
  const count = (status: CheckStatus) => report.checks.filter((check) => check.status === status).length;
  const [fails, warns] = [count('fail'), count('warn')];
  lines.push(
    fails > 0
      ? `${fails} problem${fails === 1 ? '' : 's'} to fix (✘)${warns > 0 ? `, ${warns} warning${warns === 1 ? '' : 's'} (⚠)` : ''}.`
      : warns > 0
        ? `Nothing blocking; ${warns} warning${warns === 1 ? '' : 's'} (⚠).`
        : 'All good.',
  );
  return lines;
}
