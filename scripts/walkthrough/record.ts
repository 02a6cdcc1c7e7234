/**
 * `npm start -- --record [NAME]`: the walkthrough under the recorder (steps/lib/record/), written to
 * test/fixtures/recorded/NAME/. Without a NAME the recording is named after where it ran and when
 * (`live-2026-11-30-072438` against the real Bracken, `sandbox-…` against the sandbox). RECORD=NAME in
 * .env or the environment records too; the flag wins.
 */
import { ConfigError, formatError, loadConfig, type Config } from '../../steps/lib/core/index.ts';
import { recordingDirToWrite, recordRun } from '../../steps/lib/record/index.ts';
import type { WalkthroughResult } from '../walkthrough.ts';

/** The arguments with an empty name after a bare `--record` (parseArgs wants a value), which means "name it for me". */
export function withRecordName(args: readonly string[]): string[] {
  return args.map((arg, i) => (arg === '--record' && (args[i + 1] === undefined || args[i + 1]?.startsWith('-') === true) ? '--record=' : arg));
}

/** Why `--record NAME` cannot name a recording (a command-line mistake, refused before the run), or undefined. */
export function recordNameProblem(flag: string | undefined): ConfigError | undefined {
  if (flag === undefined || flag === '') return undefined;
  try {
    recordingDirToWrite(flag, undefined, '--record');
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/** Runs the walkthrough, recorded when `--record` (the flag's value, '' for no name) or RECORD asks for it. */
export async function recordedIfAsked(flag: string | undefined, run: () => Promise<WalkthroughResult>): Promise<WalkthroughResult> {
  let config: Config;
  try {
    config = loadConfig();
  } catch {
    return run(); // the walkthrough reports a configuration error itself
  }
  const name = flag === undefined ? config.record : flag === '' ? defaultName(config) : flag;
  if (name === undefined) return run();
  let result: WalkthroughResult | undefined;
  try {
    // The name was checked already: --record by recordNameProblem before the run, RECORD by loadConfig.
    return await recordRun(
      { name, source: 'npm start', command: `npm start -- --record ${name}`, mode: 'replace', deliveries: 'all', log: console.log },
      config,
      async () => {
        result = await run();
        return { value: result, ok: result.ok, config: result.config };
      },
    );
  } catch (error) {
    console.error(formatError(error));
    // Asked for a recording and did not get one: the run does not count as a success.
    return { ...(result ?? { runDir: '', steps: [], totalMs: 0, config: undefined }), ok: false };
  }
}

function defaultName(config: Config): string {
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '').replace('T', '-');
  return `${config.mode === 'bracken' ? 'live' : 'sandbox'}-${stamp}`;
}
