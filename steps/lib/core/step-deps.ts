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
}

/** StepDeps with the defaults filled in; `fetch` stays undefined for the global one, looked up at call time. */
export interface StepContext {
  readonly config: Config;
  readonly state: State;
  readonly fetch: typeof fetch | undefined;
  readonly log: (line: string) => void;
  readonly now: () => number;
}

/** Fills in what `deps` leaves out: loadConfig(), its state folder, console.log and Date.now. Throws ConfigError. */
export function resolveStepDeps(deps: StepDeps): StepContext {
  const config = deps.config ?? loadConfig();
  return {
    config,
    state: deps.state ?? openState(config.stateDir),
    fetch: deps.fetch,
    log: deps.log ?? console.log,
    now: deps.now ?? Date.now,
  };
}
