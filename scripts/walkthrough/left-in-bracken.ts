/**
 * What a walkthrough that stopped early left in the real Bracken, and how to remove it. `npm start`
 * keeps each run's state in a folder of its own, so a plain `npm run step:6` (the default state
 * folder) would not find this run's user.json and webhook.json: the command names the folder.
 *
 * @example
 * for (const line of await leftInBracken(openState(runDir), config)) log(line);
 */
import type { Config, State } from '../../steps/lib/core/index.ts';

/** Two lines naming the recorded test user and active subscriptions, or none when nothing is left. */
export async function leftInBracken(state: State, config: Config): Promise<string[]> {
  // A state file that cannot be read here is not worth a second error: the failure above stands.
  const user = await state.read('user').catch(() => undefined);
  const webhook = await state.read('webhook').catch(() => undefined);
  const left = [
    ...(user === undefined ? [] : [`the test user ${user.username} (userkey ${user.userkey})`]),
    ...(webhook?.subscriptions.filter((s) => s.active).map((s) => `the active subscription ${s.event} -> ${s.target}`) ?? []),
  ];
  if (left.length === 0) return [];
  return [
    `Still in Bracken at ${config.apiUrl}: ${left.join('; ')}.`,
    `Next: remove them with \`WORKBENCH_STATE_DIR=${shellWord(state.dir)} npm run step:6\`.`,
  ];
}

/** `path` as one shell word: as it is when that is safe, else in single quotes. */
function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}
