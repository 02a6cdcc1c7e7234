/**
 * `.env` readable and every value valid: the file is read here (not loaded into process.env) so a
 * read error is its own finding, then the variables go to loadConfig() as the steps would see them
 * (the environment wins over `.env`). loadConfig() stops at the first bad value; the doctor drops
 * that variable and asks again, so one run lists every bad value, each naming its variable and
 * where it came from. A secret's value is shown shortened (redact), never in full.
 *
 * @example
 * const { outcome, config } = await readConfiguration('.env', process.env);
 */
import {
  type Config,
  ConfigError,
  configVariableNames,
  type Env,
  type EnvAssignment,
  loadConfig,
  readEnvFileWithLines,
  redact,
  repeatedAssignments,
} from '../../steps/lib/core/index.ts';
import { type CheckOutcome, fail, ok, warn } from './check.ts';
import { misspelledNames } from './misspelled.ts';

/** Variables whose value is a secret: shortened in a message. */
const SECRET_VARIABLE = /SECRET|TOKEN|PASSWORD|DATABASE_URL/;

export interface Configuration {
  readonly outcome: CheckOutcome;
  /** Undefined when a value is invalid or missing: the checks that need it do not run. */
  readonly config: Config | undefined;
  readonly env: Env;
}

export async function readConfiguration(envFile: string, processEnv: Env): Promise<Configuration> {
  let fileEnv: Record<string, string> = {};
  let assignments: EnvAssignment[] = [];
  let fromFile = `${envFile} not present: every setting not in the environment has its default`;
  try {
    const read = readEnvFileWithLines(envFile);
    if (read !== undefined) {
      fileEnv = read.vars;
      assignments = read.assignments;
      const count = Object.keys(fileEnv).length;
      fromFile = `${envFile} read (${count} variable${count === 1 ? '' : 's'})`;
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { outcome: fail(error.message.replace(/\.$/, ''), error.hint ?? ''), config: undefined, env: processEnv };
  }
  // process.loadEnvFile never overrides a variable already set: the same order here.
  const env: Env = { ...fileEnv, ...processEnv };
  const problems: { variable: string; source: string; message: string; hint: string | undefined }[] = [];
  const remaining: Record<string, string | undefined> = { ...env };
  for (;;) {
    try {
      const config = loadConfig({ env: remaining });
      if (problems.length === 0) {
        const notes = [
          { note: repeatedNote(envFile, assignments, processEnv), fix: REPEATED_FIX },
          { note: misspelledNote(envFile, Object.keys(fileEnv), processEnv), fix: MISSPELLED_FIX },
        ].filter((one): one is { note: string; fix: string } => one.note !== undefined);
        const summary = `configuration valid: ${fromFile}`;
        if (notes.length === 0) return { outcome: ok(summary), config, env };
        const outcome = warn([summary, ...notes.map((one) => one.note)].join('; '), notes.map((one) => one.fix).join(' '));
        return { outcome, config, env };
      }
      break;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const variable = error.variable;
      const source = variable === undefined ? '' : variable in processEnv ? 'the environment' : variable in fileEnv ? envFile : '';
      problems.push({ variable: variable ?? '', source, message: hideSecret(error.message, variable, env), hint: error.hint });
      // A missing required value cannot be dropped to find the next one: stop there.
      if (variable === undefined || remaining[variable] === undefined) break;
      delete remaining[variable];
    }
  }
  const lines = problems.map((problem) => `${problem.message}${problem.source === '' ? '' : ` (from ${problem.source})`}`);
  const repeated = repeatedNote(envFile, assignments, processEnv);
  if (repeated !== undefined) lines.push(`Also, ${repeated}.`);
  return {
    outcome: fail(
      `${problems.length === 1 ? 'a setting is' : `${problems.length} settings are`} not valid: ${lines.join(' ')}`,
      problems[0]?.hint ?? 'Fix it in .env or in the environment (see .env.example).',
      { invalid: problems.map(({ variable, source }) => ({ variable, source })) },
    ),
    config: undefined,
    env,
  };
}

const REPEATED_FIX = 'Delete the lines that do not count, so each variable is set once in .env.';
const MISSPELLED_FIX = 'Spell it as the variable meant (see .env.example): the workbench reads names exactly, so as written it is ignored.';

/** The names the workbench does not read but nearly does (misspelled.ts), each with the likely one. */
function misspelledNote(envFile: string, fileNames: readonly string[], processEnv: Env): string | undefined {
  const found = misspelledNames(fileNames, processEnv, configVariableNames());
  const notes = found.map(
    ({ name, likely, from }) =>
      `${name} (in ${from === 'env-file' ? envFile : 'the environment'}) is not a setting the workbench reads: did you mean ${likely}?`,
  );
  return notes.length === 0 ? undefined : notes.join('; ');
}

/**
 * The variables set on more than one line of `envFile` (Node's parser keeps the last without a
 * word), which line counts, and when the environment overrides them all; undefined when none is.
 */
function repeatedNote(envFile: string, assignments: readonly EnvAssignment[], processEnv: Env): string | undefined {
  const notes = repeatedAssignments(assignments).map(({ name, lines }) => {
    const last = lines.at(-1) ?? 0;
    const earlier = lines.slice(0, -1);
    const counted =
      processEnv[name] === undefined
        ? `line ${last} counts, ${earlier.length === 1 ? 'line' : 'lines'} ${listed(earlier)} ${earlier.length === 1 ? 'is' : 'are'} ignored`
        : 'the environment overrides them all';
    return `${name} is set on lines ${listed(lines)} of ${envFile}: ${counted}`;
  });
  return notes.length === 0 ? undefined : notes.join('; ');
}

/** [3] → '3', [3, 5] → '3 and 5', [3, 5, 7] → '3, 5 and 7'. */
function listed(numbers: readonly number[]): string {
  return numbers.length <= 1 ? numbers.join('') : `${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}`;
}

function hideSecret(message: string, variable: string | undefined, env: Env): string {
  const value = variable === undefined ? undefined : env[variable];
  if (variable === undefined || value === undefined || !SECRET_VARIABLE.test(variable)) return message;
  return message.replaceAll(JSON.stringify(value), JSON.stringify(redact(value)));
}
