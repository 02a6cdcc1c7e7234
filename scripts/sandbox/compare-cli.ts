/**
 * `npm run sandbox -- --compare NAME` as the user runs it: reads the recording, compares it
 * (compare.ts), prints a ✔ line for each call or delivery that agrees and a ✘ line for each
 * difference, and resolves with the exit code: 0 none, 1 differences, 2 no such recording (or a
 * name that cannot be one), 3 the comparison could not run (a recording it cannot read, too).
 *
 * @example
 * process.exitCode = await compareCommand('demo', loadConfig(), console.log, console.error);
 */
import {
  CONFIG_INVALID,
  type Config,
  formatError,
  isLoopbackHost,
  RECORDING_CORRUPT,
  RECORDING_NOT_FOUND,
  RecordingError,
  WorkbenchError,
} from '../../steps/lib/core/index.ts';
import { readRecording, recordingDir, type Recording } from '../../steps/lib/record/index.ts';
import { compareWithSandbox } from './compare.ts';
import type { Comparison } from './compare-shapes.ts';
import { sandboxOptionsFromConfig } from './index.ts';
import { recordingShapeProblem } from './recording-shape.ts';

/** The command: prints what it compared and each difference (errors through `printError`); resolves with the exit code. */
export async function compareCommand(
  name: string,
  config: Config,
  print: (line: string) => void,
  printError: (line: string) => void,
  /** The folder of recordings; default test/fixtures/recorded (tests pass a temp copy). */
  recordings?: string,
): Promise<number> {
  let recording: Recording;
  let dir: string;
  try {
    dir = recordingDir(name, recordings, '--compare');
    recording = await readRecording(dir);
  } catch (error) {
    const usage = error instanceof WorkbenchError && (error.code === RECORDING_NOT_FOUND || error.code === CONFIG_INVALID);
    printError(formatError(error));
    return usage ? 2 : 3;
  }
  const problem = recordingShapeProblem(recording);
  if (problem !== undefined) {
    const corrupt = new RecordingError(RECORDING_CORRUPT, `The recording in ${dir} cannot be used: ${problem}.`, {
      hint: 'Record it again (`npm start -- --record <name>`), or restore the folder from git.',
    });
    printError(formatError(corrupt));
    return 3;
  }
  const { about } = recording;
  const options = sandboxOptionsFromConfig(config);
  if (!isLoopbackHost(options.host ?? '127.0.0.1')) print(`Note: the comparison's sandbox listens on 127.0.0.1, whatever SANDBOX_HOST says.`);
  print(
    `Comparing the recording ${name} (${about.runs.map((run) => run.command).join(', ')}, ${about.recordedAt.slice(0, 10)}, against ${about.environment.mode === 'bracken' ? `Bracken at ${about.environment.apiUrl}` : 'the sandbox'}) with the sandbox's choices:`,
  );
  let comparison: Comparison;
  try {
    comparison = await compareWithSandbox({ recording, sandbox: { ...options, host: '127.0.0.1' } });
  } catch (error) {
    printError(formatError(error));
    return 3;
  }
  for (const where of [...new Set(comparison.compared)]) {
    const found = comparison.differences.filter((difference) => difference.where === where);
    if (found.length === 0) print(`✔ ${where}`);
  }
  for (const difference of comparison.differences) print(`✘ ${difference.where}: ${difference.what}`);
  const count = comparison.differences.length;
  if (count === 0) {
    print("No differences: the sandbox's choices agree with what the recording saw.");
    return 0;
  }
  print(
    `${count} difference${count === 1 ? '' : 's'}. ` +
      (about.environment.mode === 'bracken'
        ? "Where the recording shows what Bracken does, correct the sandbox's choice (scripts/sandbox/, steps/lib/bracken/events.ts) and the README's list of them."
        : 'This recording was made against the sandbox: a difference means the sandbox changed since (record it again with npm start -- --record).'),
  );
  return 1;
}
