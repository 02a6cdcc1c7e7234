/**
 * `npm run doctor`: every check, each a file of its own, run at once and listed in order. Node and
 * `.env` come first; the rest need a valid configuration, and are listed as not run when it is not.
 * A check that throws (a bug, not a finding) becomes a ✘ line of its own, so one does not hide the others.
 *
 * @example
 * const report = await runDoctor({ envFile: ENV_FILE, env: processEnvironment() });
 * report.exitCode // 0: no ✘; 1: at least one
 */
import type { Env } from '../../steps/lib/core/index.ts';
import { type Check, type CheckResult, type DoctorContext, fail } from './check.ts';
import { clockSkewCheck } from './clock-skew.ts';
import { readConfiguration } from './env-file.ts';
import { modeCheck } from './mode.ts';
import { ngrokTokenCheck } from './ngrok-token.ts';
import { nodeVersionCheck } from './node-version.ts';
import { type Probe, probeUrl } from './probe.ts';
import { reachableCheck } from './reachable.ts';
import { secretStrengthCheck } from './secret-strength.ts';
import { stateFolderCheck } from './state-folder.ts';
import { storeHealthCheck } from './store-health.ts';
import { subscriptionTargetCheck } from './subscription-target.ts';
import { tokenCheck } from './token.ts';

/** A network check waits at most this long (or HTTP_TIMEOUT_MS when shorter). */
const NETWORK_TIMEOUT_MS = 3000;

/** The checks that need the configuration, in the order they print. */
const CONFIGURED_CHECKS: readonly Check[] = [
  modeCheck,
  reachableCheck('identity'),
  reachableCheck('api'),
  tokenCheck,
  clockSkewCheck,
  subscriptionTargetCheck,
  secretStrengthCheck,
  stateFolderCheck,
  storeHealthCheck,
  ngrokTokenCheck,
];

export interface DoctorOptions {
  readonly envFile: string;
  /** The process's environment (without .env loaded into it). */
  readonly env: Env;
  readonly nodeVersion?: string;
  readonly now?: () => number;
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly exitCode: 0 | 1;
  readonly checks: readonly CheckResult[];
  /** Checks not run because the configuration is not valid. */
  readonly notRun: readonly string[];
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const now = options.now ?? Date.now;
  const checks: CheckResult[] = [];
  checks.push({ id: 'node', ...nodeVersionCheck(options.nodeVersion) });
  const { outcome, config, env } = await readConfiguration(options.envFile, options.env);
  checks.push({ id: 'env', ...outcome });
  if (config !== undefined) {
    const timeoutMs = Math.min(NETWORK_TIMEOUT_MS, config.httpTimeoutMs);
    const probes = new Map<string, Promise<Probe>>();
    const context: DoctorContext = {
      config,
      env,
      timeoutMs,
      now,
      probe(which) {
        const url = which === 'identity' ? config.identityUrl : config.apiUrl;
        const made = probes.get(which) ?? probeUrl(url, timeoutMs, now);
        probes.set(which, made);
        return made;
      },
    };
    // All at once, listed in order: a host that takes connections and never answers then costs one
    // wait for the identity server, the API and the token together, not one wait each.
    const results = CONFIGURED_CHECKS.map(
      async (check): Promise<CheckResult> => ({
        id: check.id,
        ...(await check
          .run(context)
          .catch((error: unknown) =>
            fail(
              `check failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
              'Report it with the output of npm run doctor -- --json.',
            ),
          )),
      }),
    );
    checks.push(...(await Promise.all(results)));
  }
  const failed = checks.some((check) => check.status === 'fail');
  return { ok: !failed, exitCode: failed ? 1 : 0, checks, notRun: config === undefined ? CONFIGURED_CHECKS.map((check) => check.id) : [] };
}
