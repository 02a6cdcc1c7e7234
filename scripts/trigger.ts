/**
 * `npm run trigger -- <event> [--user NAME] [--module KEY] [--course KEY]`: fires one of Bracken's
 * nine webhook events through the running sandbox (`npm run sandbox`), like `stripe trigger`.
 * `npm run trigger -- --list` lists the events and what each needs. Exit codes: 0 fired, 1 could not
 * (no sandbox, no subscription, a refusal: the error says what to do), 2 a wrong command line.
 */
import { parseArgs } from 'node:util';
import { formatError, isMain, loadConfig, repeatedOption, usageErrorText } from '../steps/lib/core/index.ts';
import { TRIGGER_USAGE, TriggerError } from './trigger/errors.ts';
import { listEvents } from './trigger/recipes.ts';
import { triggerEvent } from './trigger/trigger.ts';

const USAGE = `Usage: npm run trigger -- <event> [--user NAME] [--module KEY] [--course KEY]
       npm run trigger -- --list

Fires one Bracken webhook event through the running sandbox (npm run sandbox): its subscription
lookup, signing, delivery and retries. It makes what the event needs (a user, a module, a course)
and says what it made. Event names in any letter case, e.g. module_complete or Module_Complete.`;

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    return refuse((error as Error).message);
  }
  const { values, positionals, tokens } = parsed;
  const repeated = repeatedOption(tokens, OPTIONS);
  if (repeated !== undefined) return refuse(`--${repeated.name} is given ${repeated.times} times: give it once.`);
  if (values.help === true) return print(USAGE);
  if (values.list === true) return print(listEvents());
  const [event, ...extra] = positionals;
  if (event === undefined || extra.length > 0) {
    return refuse(event === undefined ? 'Name one event.' : `One event at a time (got ${positionals.join(', ')}).`);
  }
  try {
    await triggerEvent({
      event,
      user: values.user,
      module: key('--module', values.module),
      course: key('--course', values.course),
      config: loadConfig(),
      log: console.log,
    }).then((result) => {
      const lower = result.event.toLowerCase();
      console.log(
        result.recordedUser
          ? `Next: npm run step:5 -- --event ${lower} (verifies it: it is about the test user step 4 recorded)`
          : `Next: npm run step:5 -- --latest (verifies the newest delivery; --event ${lower} looks for the test user step 4 recorded, and this one is about another)`,
      );
    });
    return 0;
  } catch (error) {
    console.error(formatError(error));
    return error instanceof TriggerError && error.code === TRIGGER_USAGE ? 2 : 1;
  }
}

const OPTIONS = {
  user: { type: 'string' },
  module: { type: 'string' },
  course: { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse() {
  return parseArgs({ allowPositionals: true, tokens: true, options: OPTIONS });
}

/** A --module / --course value as a key; TriggerError TRIGGER_USAGE when it is not a whole number. */
function key(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  throw new TriggerError(TRIGGER_USAGE, `${option} ${JSON.stringify(value)} is not a key (a whole number).`, {
    hint: `GET /sandbox/${option.slice(2)}s on the sandbox lists them; leave ${option} out to have a new one made.`,
  });
}

/** A wrong command line: the error with its code, as every refusal is printed, then the usage; exit code 2. */
function refuse(message: string): number {
  console.error(usageErrorText(TRIGGER_USAGE, message, USAGE));
  return 2;
}

function print(text: string): number {
  console.log(text);
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await main();
