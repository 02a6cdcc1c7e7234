/**
 * `npm run sandbox -- deliveries [--resend ID] [--cancel ID]` against a running sandbox: the
 * listing, a resend, a cancel, a refusal, no sandbox running, and bad arguments. Each exit code
 * (0, 1, 2) and each flag is proven through the script as a user runs it; the other cases call
 * what the script calls (deliveriesCommand, parseSandboxCommandLine) in this process, and check
 * the same lines, because a process start costs a second or more on a busy 2-core machine.
 */
import { createServer } from 'node:http';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseSandboxCommandLine, sandboxUsageErrorText } from '../../scripts/sandbox/command-line.ts';
import { deliveriesCommand } from '../../scripts/sandbox/deliveries-cli.ts';
import { freePort as closedPort } from '../../scripts/walkthrough/free-port.ts';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { formatError } from '../../steps/lib/core/run-step.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { runScript } from '../helpers/process.ts';
import { startTutorialReceiver } from '../helpers/tutorial-receiver.ts';
import { until } from '../helpers/until.ts';
import { accessToken, createUser, sandboxWithPending, subscribe, testSandbox } from './helpers.ts';

const SECRET = 'cli-test-secret-0123456789abcdef';
const deliveriesCli = (port: number, ...args: string[]) => runScript('scripts/sandbox.ts', { args: ['deliveries', '--port', String(port), ...args] });

/**
 * What `npm run sandbox -- deliveries --port <port> [flags]` does, run in this process as the script
 * runs it: its stdout lines, and on an error the stderr text the script prints (formatError, no colour).
 */
async function deliveriesInProcess(
  port: number,
  flags: { resend?: string; cancel?: string; limit?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  const lines: string[] = [];
  try {
    await deliveriesCommand({
      sandboxUrl: `http://127.0.0.1:${port}`,
      ...flags,
      timeoutMs: loadConfig({ env: {} }).httpTimeoutMs,
      print: (line) => lines.push(line),
    });
    return { stdout: lines.map((line) => `${line}\n`).join(''), stderr: '' };
  } catch (error) {
    return { stdout: lines.map((line) => `${line}\n`).join(''), stderr: `${stripVTControlCharacters(formatError(error))}\n` };
  }
}

describe('npm run sandbox -- deliveries', () => {
  it('lists the deliveries newest first with their last answer, resends one, cancels a pending one, and refuses to cancel it twice', async () => {
    const receiver = await startTutorialReceiver({ secret: SECRET });
    const down = await closedPort();
    const sandbox = await testSandbox({ retryScheduleMs: [60_000] });
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, receiver.url, SECRET, { event: 'user_create' });
    await subscribe(sandbox, token, `http://127.0.0.1:${down}/webhooks`, SECRET, { event: 'user_delete' });
    const userkey = await createUser(sandbox, token, 'Cli-User');
    await fetch(`${sandbox.url}/api/user/delete/domain/15435/user/${userkey}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    await until(() => sandbox.deliveries().length === 2 && sandbox.deliveries().every((d) => d.attempts === 1), 10_000);
    const [created, deleted] = sandbox.deliveries();

    const listing = await deliveriesCli(sandbox.port);
    expect([listing.code, listing.stderr]).toEqual([0, '']);
    const lines = listing.stdout.split('\n');
    expect(lines[0]).toBe(`Deliveries at ${sandbox.url}, newest first (live: ${sandbox.url}/sandbox/):`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${deleted?.id}  \\S+  User_Delete  pending    1 attempt  no answer: connect ECONNREFUSED 127\\.0\\.0\\.1:${down}  http://127\\.0\\.0\\.1:${down}/webhooks$`,
      ),
    );
    expect(lines[2]).toBe(`${' '.repeat((deleted?.id.length ?? 0) + 2)}next attempt at ${sandbox.deliveries()[1]?.nextAttemptAt}`);
    expect(lines[3]).toMatch(new RegExp(`^${created?.id}  \\S+  User_Create  delivered  1 attempt  200 in \\d+ ms +${receiver.url}$`));

    const resent = await deliveriesCli(sandbox.port, '--resend', created?.id ?? '');
    expect(resent.code).toBe(0);
    expect(resent.stdout).toMatch(new RegExp(`^Resent ${created?.id}: attempt 2 answered 200 in \\d+ ms; the delivery is delivered\\.\\n$`));

    // In this process: the refusal below runs --cancel through the script.
    const cancelled = await deliveriesInProcess(sandbox.port, { cancel: deleted?.id ?? '' });
    expect(cancelled).toEqual({ stdout: `Cancelled ${deleted?.id}: no more attempts will be made (it had 1 attempt).\n`, stderr: '' });
    expect(sandbox.deliveries()[1]).toMatchObject({ status: 'cancelled', reason: 'cancelled by hand' });

    const again = await deliveriesCli(sandbox.port, '--cancel', deleted?.id ?? '');
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe(
      `Error: The sandbox refused POST /sandbox/deliveries/${deleted?.id}/cancel: Delivery ${deleted?.id} is cancelled: only a pending delivery can be cancelled. [WORKBENCH_SANDBOX_ACTION_REFUSED]\n` +
        `Next: List the deliveries and their states with \`npm run sandbox -- deliveries\`, or open the delivery log at ${sandbox.url}/sandbox/.\n`,
    );
    // Five sandbox CLI processes, each a tsx start: ~18 s on a quiet machine, 40 s at a load of 15.
  }, 90_000);

  // 10,000 pending deliveries printed 10,000 rows (after seconds of building them): the listing
  // shows the newest ones, and says how many it left out.
  it('lists the newest deliveries only, and says how many there are in all', async () => {
    const { sandbox, target: down } = await sandboxWithPending(['Old-User', 'Middle-User', 'New-User']);
    const [, middle, newest] = sandbox.deliveries();

    const { stdout, stderr } = await deliveriesInProcess(sandbox.port, { limit: 2 });
    expect(stderr).toBe('');
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`Deliveries at ${sandbox.url}, newest first (live: ${sandbox.url}/sandbox/):`);
    expect(lines.filter((line) => line.includes(down)).map((line) => line.split(' ')[0])).toEqual([newest?.id, middle?.id]);
    expect(lines.at(-2)).toBe(`The newest 2 of 3 deliveries; the delivery log at ${sandbox.url}/sandbox/ lists the newest 500.`);
  });

  it('says when there are no deliveries yet', async () => {
    const sandbox = await testSandbox();
    expect(await deliveriesInProcess(sandbox.port)).toEqual({
      stdout: `No deliveries yet at ${sandbox.url}. They appear when a subscribed event fires (npm run step:4 creates a user).\n`,
      stderr: '',
    });
  });

  it('with no sandbox running: what is wrong and what to do (exit 1: the refusal above)', async () => {
    const port = await closedPort();
    expect(await deliveriesInProcess(port)).toEqual({
      stdout: '',
      stderr:
        `Error: No sandbox answers at http://127.0.0.1:${port} (ECONNREFUSED). [WORKBENCH_SANDBOX_NOT_RUNNING]\n` +
        'Next: Start it with `npm run sandbox` in another terminal (SANDBOX_PORT sets its port, default 4010), or pass the port it runs on: `npm run sandbox -- deliveries --port <port>`.\n',
    });
  });

  // Before, a sandbox too busy to answer in time (a resend to a slow receiver, a store with thousands
  // of deliveries) was reported as "No sandbox answers at … (The operation was aborted due to
  // timeout). [WORKBENCH_SANDBOX_NOT_RUNNING]" with the advice to start one.
  it('with a sandbox that takes the connection but does not answer in time: busy, not missing', async () => {
    const busy = createServer((req) => req.resume()); // never answers
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    onCleanup(async () => {
      busy.closeAllConnections();
      await new Promise((resolve) => busy.close(resolve));
    });
    const sandboxUrl = `http://127.0.0.1:${(busy.address() as { port: number }).port}`;
    const run = (flags: { resend?: string }) => deliveriesCommand({ sandboxUrl, ...flags, timeoutMs: 200, print: () => undefined });
    await expect(run({})).rejects.toMatchObject({
      code: 'WORKBENCH_SANDBOX_TIMEOUT',
      message: `The sandbox at ${sandboxUrl} did not answer GET /sandbox/deliveries?limit=100 within 200 ms (HTTP_TIMEOUT_MS).`,
      hint: `It is running but busy (a resend waits up to 5 s for your receiver; thousands of deliveries take a while to list): try again, raise HTTP_TIMEOUT_MS, or open ${sandboxUrl}/sandbox/.`,
    });
    await expect(run({ resend: 'd-1' })).rejects.toMatchObject({
      code: 'WORKBENCH_SANDBOX_TIMEOUT',
      message: `The sandbox at ${sandboxUrl} did not answer POST /sandbox/deliveries/d-1/resend within 200 ms (HTTP_TIMEOUT_MS). The resend may still have been made: list the deliveries to see.`,
    });
  });

  const USAGE_LINES = 'Usage: npm run sandbox [-- --port <port>]\n       npm run sandbox -- deliveries [--resend <id> | --cancel <id>] [--port <port>]';

  it('npm run sandbox -- delivery is a usage error: exit 2, the reason with its code, a blank line, the usage', async () => {
    const result = await runScript('scripts/sandbox.ts', { args: ['delivery'] });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(`Error: Unknown command "delivery". [WORKBENCH_SANDBOX_USAGE]\n\n${USAGE_LINES}`)).toBe(true);
  });

  it.each([
    [
      ['--resend', 'x'],
      'Error: --resend and --cancel belong to the deliveries command: npm run sandbox -- deliveries --resend <id>. [WORKBENCH_SANDBOX_USAGE]',
    ],
    [['deliveries', '--resend', 'x', '--cancel', 'y'], 'Error: Give --resend or --cancel, not both. [WORKBENCH_SANDBOX_USAGE]'],
    [['delivery'], 'Error: Unknown command "delivery". [WORKBENCH_SANDBOX_USAGE]'],
    [['deliveries', '--resend'], /^Error: Option '--resend <value>' argument missing.* \[WORKBENCH_SANDBOX_USAGE\]$/],
    [['--port', '70000'], 'Error: --port "70000" is not a port number (0-65535). [WORKBENCH_SANDBOX_USAGE]'],
    // Number() took these: '' as port 0 (any free port), '1e3' as 1000.
    [['--port', ''], 'Error: --port "" is not a port number (0-65535). [WORKBENCH_SANDBOX_USAGE]'],
    [['deliveries', '--port', '1e3'], 'Error: --port "1e3" is not a port number (0-65535). [WORKBENCH_SANDBOX_USAGE]'],
  ])('npm run sandbox -- %j is a usage error (parsed in this process): the reason and the usage', (args, first) => {
    const line = parseSandboxCommandLine(args);
    if (line.command !== 'usage-error') throw new Error(`expected a usage error, got ${JSON.stringify(line)}`);
    const stderr = sandboxUsageErrorText(line.message);
    if (typeof first === 'string') expect(stderr.split('\n')[0]).toBe(first);
    else expect(stderr.split('\n')[0]).toMatch(first);
    expect(stderr).toContain(USAGE_LINES);
  });
});
