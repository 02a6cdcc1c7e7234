/**
 * One line of `npm run doctor`: what was checked, how it stands (✔ ok, ⚠ warn, ✘ fail), and for a
 * ⚠ or ✘ what to do. Each check is a file of its own in this folder; run.ts runs them in order.
 *
 * @example
 * const ngrok: Check = { id: 'ngrok-token', run: async ({ config }) => (config.ngrok.authtoken ? ok('ngrok: NGROK_AUTHTOKEN set') : fail('no tunnel', 'Set NGROK_AUTHTOKEN.')) };
 */
import type { Config, Env } from '../../steps/lib/core/index.ts';
import type { Probe } from './probe.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckOutcome {
  readonly status: CheckStatus;
  /** The line itself: what was found. */
  readonly summary: string;
  /** What to do about a ⚠ or ✘. */
  readonly fix?: string;
  /** Figures for `--json` (timings, counts, the skew), never a secret. */
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface CheckResult extends CheckOutcome {
  readonly id: string;
}

/** What every check gets: the configuration (once .env was valid), the variables it came from, and shared probes. */
export interface DoctorContext {
  readonly config: Config;
  /** The merged variables: .env under the environment, as loadConfig() reads them. */
  readonly env: Env;
  /** How long a network check waits: short, so an unreachable host does not hold the checklist. */
  readonly timeoutMs: number;
  readonly now: () => number;
  /** GET of the identity server's or the API's base URL, made once and shared (reachability, clock skew). */
  probe(which: 'identity' | 'api'): Promise<Probe>;
}

export interface Check {
  readonly id: string;
  run(context: DoctorContext): Promise<CheckOutcome>;
}

export const ok = (summary: string, data?: Record<string, unknown>): CheckOutcome => ({ status: 'ok', summary, ...(data === undefined ? {} : { data }) });
export const warn = (summary: string, fix: string, data?: Record<string, unknown>): CheckOutcome => ({
  status: 'warn',
  summary,
  fix,
  ...(data === undefined ? {} : { data }),
});
export const fail = (summary: string, fix: string, data?: Record<string, unknown>): CheckOutcome => ({
  status: 'fail',
  summary,
  fix,
  ...(data === undefined ? {} : { data }),
});
