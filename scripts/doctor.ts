/**
 * `npm run doctor`: one checklist of what a run needs (Node, .env, the mode, Bracken reachable, a
 * token, the clock, the subscription's target, the secret, the state folder, the store, the
 * tunnel), each line ✔ / ⚠ / ✘ with what to do. `--json` prints the same as one JSON object, for
 * CI. `--dotenv <path>` checks another file in place of `.env` (not `--env-file`: Node 20 takes that
 * option for itself wherever it stands on the command line).
 *
 * Exit codes: 0 no ✘ (warnings allowed), 1 at least one ✘, 2 a wrong command line.
 */
import { parseArgs } from 'node:util';
import { CONFIG_INVALID, ENV_FILE, processEnvironment, usageErrorText } from '../steps/lib/core/index.ts';
import { formatReport } from './doctor/format.ts';
import { runDoctor } from './doctor/run.ts';

const USAGE = `Usage: npm run doctor [-- --json] [-- --dotenv <path>]

Checks Node, .env, the mode, the identity server and API, a token, the clock, the subscription's
target, the webhook secret, the state folder, the store and the tunnel; each line ✔ / ⚠ / ✘.
--json prints one JSON object ({ ok, exitCode, checks: [{ id, status, summary, fix?, data? }], notRun }).
Exit 0 when nothing is ✘, 1 when something is, 2 for a wrong command line.`;

async function main(): Promise<void> {
  let values: { json?: boolean; dotenv?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { json: { type: 'boolean' }, dotenv: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    // Printed as every command prints a refusal (`Error: … [WORKBENCH_…]`), as the steps code an unknown option.
    console.error(usageErrorText(CONFIG_INVALID, (error as Error).message, USAGE));
    process.exitCode = 2;
    return;
  }
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const report = await runDoctor({ envFile: values.dotenv ?? ENV_FILE, env: processEnvironment() });
  if (values.json === true) console.log(JSON.stringify(report, null, 2));
  else for (const line of formatReport(report)) console.log(line);
  process.exitCode = report.exitCode;
}

await main();
