/**
 * The handler step 3 runs for each verified delivery: the tutorial only looks at the payload in
 * ngrok's inspector, so this prints the event and, for `User_Create`, the user it is about.
 *
 * The payload shape is not documented by Bracken (shared/bracken-api.md §2); the sandbox sends
 * `{eventname, domainkey, userkey, username, timestamp}`. The user fields are also looked for
 * under `user` or `data`, in case the real payload nests them.
 *
 * @example
 * startListener({ ..., handler: sampleHandler(console.log) });
 * // → handled User_Create mwrq…: user 1001 "Test-User-k3v9x0qa"
 */
import type { DeliveryHandler, WebhookDelivery } from './worker.ts';

export function sampleHandler(log: (line: string) => void): DeliveryHandler {
  return (delivery) => {
    log(describeDelivery(delivery));
  };
}

/** One line saying what arrived; exported for tests. */
export function describeDelivery(delivery: Pick<WebhookDelivery, 'id' | 'event' | 'payload' | 'recovered'>): string {
  const again = delivery.recovered ? ' (again, from the journal)' : '';
  const event = delivery.event ?? '(no event name)';
  if (event.toLowerCase() === 'user_create') {
    const user = findUser(delivery.payload);
    const who = user === undefined ? 'no userkey/username in the payload' : `user ${user.userkey ?? '?'} ${JSON.stringify(user.username ?? '?')}`;
    return `handled ${event} ${delivery.id}${again}: ${who}`;
  }
  return `handled ${event} ${delivery.id}${again}`;
}

interface UserFields {
  readonly userkey: string | number | undefined;
  readonly username: string | undefined;
}

function findUser(payload: unknown): UserFields | undefined {
  for (const candidate of [payload, field(payload, 'user'), field(payload, 'data')]) {
    const userkey = field(candidate, 'userkey');
    const username = field(candidate, 'username');
    if (userkey !== undefined || username !== undefined) {
      return {
        userkey: typeof userkey === 'number' || typeof userkey === 'string' ? userkey : undefined,
        username: typeof username === 'string' ? username : undefined,
      };
    }
  }
  return undefined;
}

/** `object[name]`, matching the key case-insensitively (a .NET sender may write `UserKey`). */
function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entry = Object.entries(value).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}
