/**
 * What a walkthrough that stopped early left in the real Bracken, and how to remove it. `npm start`
 * keeps each run's state in a folder of its own, so a plain `npm run step:6` (the default state
 * folder) would not find this run's user.json and webhook.json: the command names the folder.
 *
 * @example
 * for (const line of await leftInBracken(openState(runDir), config)) log(line);
 */
import { type Config, type State, shellWord } from '../../steps/lib/core/index.ts';

/** What a state folder records as still in Bracken, and which of its files said so but cannot be read. */
export interface RecordedInBracken {
  /** `the test user <name> (userkey <n>)`, `the active subscription <event> -> <target>`. */
  readonly left: readonly string[];
  /** `user.json`, `webhook.json`: files that exist but cannot be read, so what they record is unknown. */
  readonly unreadable: readonly string[];
}

/** The test user recorded in user.json and the active subscriptions in webhook.json. */
export async function recordedInBracken(state: State): Promise<RecordedInBracken> {
  const unreadable: string[] = [];
  const read = async <N extends 'user' | 'webhook'>(name: N) =>
    state.read(name).catch(() => {
      unreadable.push(`${name}.json`);
      return undefined;
    });
  const user = await read('user');
  const webhook = await read('webhook');
  const left = [
    ...(user === undefined ? [] : [`the test user ${user.username} (userkey ${user.userkey})`]),
    ...(webhook?.subscriptions.filter((s) => s.active).map((s) => `the active subscription ${s.event} -> ${s.target}`) ?? []),
  ];
  return { left, unreadable };
}

/** Two lines naming the recorded test user and active subscriptions, or none when nothing is left. */
export async function leftInBracken(state: State, config: Config): Promise<string[]> {
  // A state file that cannot be read here is not worth a second error: the failure above stands.
  const { left } = await recordedInBracken(state);
  if (left.length === 0) return [];
  return [`Still in Bracken at ${config.apiUrl}: ${left.join('; ')}.`, `Next: remove them with ${removeCommand(state.dir)}.`];
}

/** The command that runs step 6 on the state folder `dir`, in backticks. */
export function removeCommand(dir: string): string {
  return `\`WORKBENCH_STATE_DIR=${shellWord(dir)} npm run step:6\``;
}
