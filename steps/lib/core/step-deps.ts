/**
 * What a step that calls Bracken works with: the config, the state folder, a transport, a log
 * sink and a clock. Each is optional with a real default, so `npm run step:N` passes nothing and
 * a test passes a config, a temp state folder, a log that records and a fixed clock.
 *
 * @example
 * const step = resolveStepDeps(deps);
 * const { config, state, log, now } = step;
 * const api = createBrackenApi(step);
 */
import { loadConfig, type Config } from './config.ts';
import { openState, type State } from './state.ts';

/** What the steps that call Bracken take, each optional (tests pass their own; nock sees the global fetch anyway). */
export interface StepDeps {
  config?: Config;
  state?: State;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  now?: () => number;
  /**
   * Prints what to run next in another terminal ("Next: npm run step:5"). Default: a `Next:` line
   * through `log`; npm start passes a no-op, because it runs the next step itself.
   */
  next?: (what: string) => void;
  /**
   * True when npm start runs the step: what a Ctrl-C leaves behind is said for that run (its own
   * sandbox, its own state folder, a tunnel gone with it), not for the step run alone.
   */
  inNpmStart?: boolean;
}

/** StepDeps with the defaults filled in; `fetch` stays undefined for the global one, looked up at call time. */
export interface StepContext {
  readonly config: Config;
  readonly state: State;
  readonly fetch: typeof fetch | undefined;
  readonly log: (line: string) => void;
  readonly now: () => number;
  readonly next: (what: string) => void;
  readonly inNpmStart: boolean;
}

/** Fills in what `deps` leaves out: loadConfig(), its state folder, console.log, Date.now and `Next:` lines. Throws ConfigError. */
export function resolveStepDeps(deps: StepDeps): StepContext {
  const config = deps.config ?? loadConfig();
  const log = deps.log ?? console.log;
  return {
    config,
    state: deps.state ?? openState(config.stateDir),
    fetch: deps.fetch,
    log,
    now: deps.now ?? Date.now,
    next: deps.next ?? ((what) => log(`Next: ${what}`)),
    inNpmStart: deps.inNpmStart ?? false,
  };
}
