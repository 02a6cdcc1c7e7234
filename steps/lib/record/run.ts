/**
 * The two ways into recording, light to import: a step imports `recordingStep` whether or not it
 * records, so the recorder, the redactor and the store are loaded (session.ts) only when RECORD or
 * `--record` asks for a recording.
 *
 * @example
 * await runStep('Step 1: get an access token', () => recordingStep('step:1', () => getToken()));
 */
import { type Config, loadConfig } from '../core/index.ts';

export interface RecordRunOptions {
  readonly name: string;
  /** The folder recordings go in; default test/fixtures/recorded. */
  readonly root?: string;
  /** `npm start`, or `step:N`. */
  readonly source: string;
  /** The command as typed, for about.json. */
  readonly command: string;
  /** `replace`: a new recording (npm start); `add`: add to the one there (a single step). */
  readonly mode: 'replace' | 'add';
  /** Which deliveries the listener verified go in: all of them, those about the test user in user.json (step 5), or none. */
  readonly deliveries: 'all' | 'this-user' | 'none';
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

export interface RunOutcome<T> {
  readonly value: T;
  readonly ok: boolean;
  /** The configuration the run used, when it differs from the one recordRun was given (npm start pins its own). */
  readonly config?: Config | undefined;
}

/** Runs `run` under the recorder and writes the recording (also when the run failed); returns the run's value or throws its error. */
export async function recordRun<T>(options: RecordRunOptions, config: Config, run: () => Promise<RunOutcome<T>>): Promise<T> {
  const { recordRunNow } = await import('./session.ts');
  return recordRunNow(options, config, run);
}

export interface RecordingStepOptions {
  /** Step 5: the deliveries about the test user go in too. */
  readonly deliveries?: 'this-user';
  /** Default: loadConfig(), whose RECORD decides. */
  readonly config?: Config;
  readonly root?: string;
  readonly log?: (line: string) => void;
}

/**
 * For a step run on its own (`npm run step:N`): with RECORD set, `body` runs under the recorder and
 * the recording gets its calls (and, for step 5, its deliveries); without it, just `body`.
 */
export async function recordingStep<T>(source: string, body: () => Promise<T>, options: RecordingStepOptions = {}): Promise<T> {
  const config = options.config ?? loadConfig();
  if (config.record === undefined) return body();
  return recordRun(
    {
      name: config.record,
      source,
      command: `RECORD=${config.record} npm run ${source}`,
      mode: 'add',
      deliveries: options.deliveries ?? 'none',
      log: options.log ?? console.log,
      ...(options.root === undefined ? {} : { root: options.root }),
    },
    config,
    async () => ({ value: await body(), ok: true }),
  );
}
