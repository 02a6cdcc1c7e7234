/**
 * `npm run sandbox -- deliveries [--resend ID] [--cancel ID]`: the delivery log from a terminal. It
 * talks to the sandbox that is running (the routes of inspect-routes.ts), so it sees what the page
 * sees: without a flag it lists the newest deliveries (COMMAND_LIST_LIMIT) with their last answer; `--resend`
 * makes a new attempt of the same bytes and prints the answer; `--cancel` stops a pending one.
 *
 * @example
 * await deliveriesCommand({ sandboxUrl: 'http://127.0.0.1:4010', timeoutMs: 10_000, print: console.log });
 */
import { ACTION_HEADER } from './local-only.ts';
import { SANDBOX_ACTION_REFUSED, SANDBOX_NOT_RUNNING, SANDBOX_TIMEOUT, SandboxError } from './errors.ts';
import { COMMAND_LIST_LIMIT, type DeliveryView, PAGE_LIST_LIMIT } from './delivery-view.ts';

export interface DeliveriesCommand {
  /** The running sandbox's origin, e.g. http://127.0.0.1:4010. */
  readonly sandboxUrl: string;
  readonly resend?: string | undefined;
  readonly cancel?: string | undefined;
  readonly timeoutMs: number;
  readonly print: (line: string) => void;
  /** How many to list, the newest; default COMMAND_LIST_LIMIT. */
  readonly limit?: number;
}

/** Lists, resends or cancels; throws SandboxError SANDBOX_NOT_RUNNING, SANDBOX_TIMEOUT or SANDBOX_ACTION_REFUSED. */
export async function deliveriesCommand(command: DeliveriesCommand): Promise<void> {
  const { sandboxUrl, print } = command;
  if (command.resend !== undefined || command.cancel !== undefined) {
    const action = command.resend !== undefined ? 'resend' : 'cancel';
    const id = command.resend ?? command.cancel ?? '';
    const delivery = (await call(command, 'POST', `/sandbox/deliveries/${encodeURIComponent(id)}/${action}`, action)).body as DeliveryView;
    print(action === 'resend' ? resent(delivery) : `Cancelled ${delivery.id}: no more attempts will be made (it had ${plural(delivery.attempts, 'attempt')}).`);
    return;
  }
  const limit = command.limit ?? COMMAND_LIST_LIMIT;
  const answer = await call(command, 'GET', `/sandbox/deliveries?limit=${limit}`);
  const list = answer.body as DeliveryView[];
  if (list.length === 0) {
    print(`No deliveries yet at ${sandboxUrl}. They appear when a subscribed event fires (npm run step:4 creates a user).`);
    return;
  }
  print(`Deliveries at ${sandboxUrl}, newest first (live: ${sandboxUrl}/sandbox/):`);
  for (const line of table(list.map(columns))) print(line);
  const total = Number(answer.headers.get('x-total-count') ?? list.length);
  if (total > list.length) {
    print(`The newest ${list.length} of ${total} deliveries; the delivery log at ${sandboxUrl}/sandbox/ lists the newest ${PAGE_LIST_LIMIT}.`);
  }
}

/** One row: id, created, event, status, attempts, last answer, target; and a note (reason or next attempt). */
function columns(d: DeliveryView): { cells: string[]; note: string | undefined } {
  const note = d.reason ?? (d.status === 'pending' && d.nextAttemptAt !== null ? `next attempt at ${d.nextAttemptAt}` : undefined);
  return { cells: [d.id, d.createdAt, d.eventname, d.status, plural(d.attempts, 'attempt'), lastAnswer(d), d.target], note };
}

/** The rows with their columns padded to line up, each note on its own indented line. */
function table(rows: { cells: string[]; note: string | undefined }[]): string[] {
  const widths = rows[0]?.cells.map((_, i) => Math.max(...rows.map((r) => r.cells[i]?.length ?? 0))) ?? [];
  return rows.flatMap(({ cells, note }) => {
    const line = cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
    return note === undefined ? [line] : [line, `${' '.repeat((widths[0] ?? 0) + 2)}${note}`];
  });
}

function lastAnswer(d: DeliveryView): string {
  if (d.inFlight) return 'sending…';
  const last = d.attemptLog.at(-1);
  if (last === undefined) return '—';
  return last.response === null ? `no answer: ${last.error ?? ''}` : `${last.response.status} in ${last.latencyMs} ms`;
}

function resent(d: DeliveryView): string {
  const last = d.attemptLog.at(-1);
  const outcome = last === undefined ? 'made no attempt' : last.response === null ? `got no answer: ${last.error ?? ''}` : `answered ${last.response.status}`;
  const state = d.status === 'pending' && d.nextAttemptAt !== null ? `pending, next attempt at ${d.nextAttemptAt}` : d.status;
  return `Resent ${d.id}: attempt ${last?.number ?? d.attempts} ${outcome} in ${last?.latencyMs ?? 0} ms; the delivery is ${state}.`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Calls the running sandbox; its `{error, code}` (or problem+json `detail`) becomes SANDBOX_ACTION_REFUSED. */
async function call(
  command: DeliveriesCommand,
  method: 'GET' | 'POST',
  path: string,
  action?: 'resend' | 'cancel',
): Promise<{ body: unknown; headers: Headers }> {
  const url = `${command.sandboxUrl}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: action === undefined ? {} : { [ACTION_HEADER]: action },
      signal: AbortSignal.timeout(command.timeoutMs),
    });
  } catch (error) {
    // A timeout means something took the connection and did not answer in time: a busy sandbox, not a missing one.
    if ((error as Error).name === 'TimeoutError') throw tooSlow(command, `${method} ${path}`, action, error);
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const why = typeof cause?.code === 'string' ? cause.code : (error as Error).message;
    throw notRunning(command.sandboxUrl, why, error);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw notRunning(command.sandboxUrl, `it answered ${method} ${path} with ${response.status} and no JSON: is something else on that port?`);
  }
  if (response.ok) return { body, headers: response.headers };
  const { error, detail } = body as { error?: unknown; detail?: unknown };
  const message = String(error ?? detail ?? `HTTP ${response.status}`);
  throw new SandboxError(SANDBOX_ACTION_REFUSED, `The sandbox refused ${method} ${path}: ${message}`, {
    hint: `List the deliveries and their states with \`npm run sandbox -- deliveries\`, or open the delivery log at ${command.sandboxUrl}/sandbox/.`,
  });
}

function tooSlow(command: DeliveriesCommand, request: string, action: 'resend' | 'cancel' | undefined, cause: unknown): SandboxError {
  const maybeDone = action === undefined ? '' : ` The ${action} may still have been made: list the deliveries to see.`;
  return new SandboxError(
    SANDBOX_TIMEOUT,
    `The sandbox at ${command.sandboxUrl} did not answer ${request} within ${command.timeoutMs} ms (HTTP_TIMEOUT_MS).${maybeDone}`,
    {
      cause,
      hint: `It is running but busy (a resend waits up to 5 s for your receiver; thousands of deliveries take a while to list): try again, raise HTTP_TIMEOUT_MS, or open ${command.sandboxUrl}/sandbox/.`,
    },
  );
}

function notRunning(sandboxUrl: string, why: string, cause?: unknown): SandboxError {
  return new SandboxError(SANDBOX_NOT_RUNNING, `No sandbox answers at ${sandboxUrl} (${why}).`, {
    cause,
    hint: 'Start it with `npm run sandbox` in another terminal (SANDBOX_PORT sets its port, default 4010), or pass the port it runs on: `npm run sandbox -- deliveries --port <port>`.',
  });
}
