/**
 * Issue 13: `npm run doctor` against a healthy setup (a sandbox started here, state files as step 2
 * and a running step 3 leave them: every line ✔, exit 0), and against each planted fault, which must
 * get the right ✘ or ⚠ line and exit code. Each test has its own state folder and `.env` path, so a
 * developer's `.env` and shell never steer it (runDoctor is given the environment; the CLI runs
 * with scriptEnv's).
 */
import { spawnSync } from 'node:child_process';
import { appendFile, chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeVersionCheck } from '../../scripts/doctor/node-version.ts';
import { secretStrengthCheck } from '../../scripts/doctor/secret-strength.ts';
import { formatReport } from '../../scripts/doctor/format.ts';
import { type DoctorReport, runDoctor } from '../../scripts/doctor/run.ts';
import { freePort as closedPort } from '../../scripts/walkthrough/free-port.ts';
import { loadConfig, type Env } from '../../steps/lib/core/config.ts';
import { journalDir, openJournal } from '../../steps/lib/journal/index.ts';
import { generateSecret } from '../../steps/lib/core/generate.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { testSandbox } from '../sandbox/helpers.ts';

/** A folder of its own: the state folder, and a `.env` path that holds nothing unless a test writes it. */
async function setup(): Promise<{ dir: string; stateDir: string; envFile: string }> {
  const dir = await tempDir('doctor');
  return { dir, stateDir: join(dir, 'state'), envFile: join(dir, '.env') };
}

/** The line a check printed (and its fix line), as the user sees them. */
function lineOf(report: DoctorReport, id: string): string {
  const index = report.checks.findIndex((check) => check.id === id);
  expect(index, `no ${id} check in ${JSON.stringify(report.checks.map((check) => check.id))}`).toBeGreaterThanOrEqual(0);
  const check = report.checks[index];
  return formatReport({ ...report, checks: check === undefined ? [] : [check], notRun: [] })
    .slice(0, -1)
    .join('\n');
}

/** webhook.json as step 2 writes it, and listener.json as a running step 3 writes it (this process stands in for it). */
async function writeStepState(stateDir: string, apiUrl: string, subscribed: string, listening: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const webhook = {
    apiUrl,
    domainkey: 15435,
    secret: generateSecret(),
    subscriptions: [{ event: 'user_create', target: subscribed, active: true, subscribedAt: new Date().toISOString() }],
  };
  const listener = { localUrl: 'http://127.0.0.1:5000/webhooks', publicUrl: listening, pid: process.pid, startedAt: new Date().toISOString() };
  await writeFile(join(stateDir, 'webhook.json'), JSON.stringify(webhook), { mode: 0o600 });
  await writeFile(join(stateDir, 'listener.json'), JSON.stringify(listener), { mode: 0o600 });
}

/** A live configuration pointing at loopback servers (plain http is allowed there). */
function liveEnv(stateDir: string, identityUrl: string, apiUrl: string, extra: Env = {}): Env {
  return {
    BRACKEN_CLIENT_ID: 'demo',
    BRACKEN_CLIENT_SECRET: 'demo-secret',
    BRACKEN_DOMAINKEY: '15435',
    BRACKEN_IDENTITY_URL: identityUrl,
    BRACKEN_API_URL: apiUrl,
    WEBHOOK_TARGET: 'https://hooks.example.invalid/webhooks',
    WORKBENCH_STATE_DIR: stateDir,
    ...extra,
  };
}

describe('npm run doctor on a healthy setup', () => {
  it('prints every line ✔ and exits 0; --json gives the same as one object', async () => {
    const sandbox = await testSandbox();
    const { stateDir, envFile } = await setup();
    await writeStepState(stateDir, sandbox.url, 'https://calm-otter.ngrok.app/webhooks', 'https://calm-otter.ngrok.app/webhooks');
    const env = { SANDBOX_PORT: String(sandbox.port), WORKBENCH_STATE_DIR: stateDir };

    const text = await runScript('scripts/doctor.ts', { args: ['--dotenv', envFile], env });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('All good.');
    expect(lines.slice(0, -1).filter((line) => !line.startsWith('✔ '))).toEqual([]);
    expect(text.stdout).toContain(`✔ identity server ${sandbox.url} answers (HTTP `);
    expect(text.stdout).toMatch(/✔ token obtained for client demo in \d+ ms \(scope bracken-api-scope, valid 3600 s\)/);
    expect(text.stdout).toContain("✔ subscription target https://calm-otter.ngrok.app/webhooks is the running listener's");

    const json = await runScript('scripts/doctor.ts', { args: ['--json', '--dotenv', envFile], env });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(Object.keys(report)).toEqual(['ok', 'exitCode', 'checks', 'notRun']);
    expect([report.ok, report.exitCode, report.notRun]).toEqual([true, 0, []]);
    expect(report.checks.map((check) => [check.id, check.status])).toEqual(
      [
        'node',
        'env',
        'mode',
        'identity-reachable',
        'api-reachable',
        'token',
        'clock-skew',
        'subscription-target',
        'secret-strength',
        'state-folder',
        'store',
        'ngrok-token',
      ].map((id) => [id, 'ok']),
    );
    expect(report.checks.find((check) => check.id === 'store')?.data).toEqual({ engine: 'file', total: 0, pending: 0, failed: 0, dead: 0, warnings: [] });
    expect(typeof report.checks.find((check) => check.id === 'identity-reachable')?.data?.ms).toBe('number');
  });
});

describe('npm run doctor on a wrong command line', () => {
  it('prints the refusal as every command does (Error: … [code]), then the usage, and exits 2 without checking anything', async () => {
    const result = await runScript('scripts/doctor.ts', { args: ['--bogus'] });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^Error: Unknown option '--bogus'.* \[WORKBENCH_CONFIG_INVALID\]\n\nUsage: npm run doctor \[-- --json\] \[-- --dotenv <path>\]\n/,
    );
  });
});

describe('npm run doctor names each planted fault', () => {
  it('a bad .env value: ✘ naming every bad variable and its file, the rest not run, exit 1', async () => {
    const { stateDir, envFile } = await setup();
    await writeFile(envFile, 'LISTEN_PORT=abc\nHANDLER_RETRY_LIMIT=999\n');
    const result = await runScript('scripts/doctor.ts', { args: ['--dotenv', envFile], env: { WORKBENCH_STATE_DIR: stateDir } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✘ 2 settings are not valid: LISTEN_PORT="abc" is not valid: expected a whole number from 0 to 65535. (from ${envFile}) HANDLER_RETRY_LIMIT="999" is not valid: expected a whole number from 0 to 100. (from ${envFile})\n  → Fix LISTEN_PORT in .env or in the environment (see .env.example).`,
    );
    expect(result.stdout).toContain('Not run until the configuration is valid: mode, identity-reachable,');
  });

  it('a variable set twice in .env: ⚠ naming both lines and the one that counts, or that the environment overrides them', async () => {
    const { stateDir, envFile } = await setup();
    await writeFile(envFile, 'LISTEN_PORT=5000\nJOURNAL_KEEP_FILES=3\n\nLISTEN_PORT=5001\nJOURNAL_KEEP_FILES=5\n');
    const env = { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir };
    const fromFile = await runDoctor({ envFile, env });
    expect(lineOf(fromFile, 'env')).toBe(
      `⚠ configuration valid: ${envFile} read (2 variables); LISTEN_PORT is set on lines 1 and 4 of ${envFile}: line 4 counts, line 1 is ignored; ` +
        `JOURNAL_KEEP_FILES is set on lines 2 and 5 of ${envFile}: line 5 counts, line 2 is ignored\n` +
        '  → Delete the lines that do not count, so each variable is set once in .env.',
    );
    expect(fromFile.exitCode).toBe(0);
    const overridden = await runDoctor({ envFile, env: { ...env, LISTEN_PORT: '6000' } });
    expect(lineOf(overridden, 'env')).toContain(`LISTEN_PORT is set on lines 1 and 4 of ${envFile}: the environment overrides them all;`);
  });

  it('a .env of one variable: "read (1 variable)"', async () => {
    const { stateDir, envFile } = await setup();
    await writeFile(envFile, 'LISTEN_PORT=5000\n');
    const report = await runDoctor({ envFile, env: { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir } });
    expect(lineOf(report, 'env')).toBe(`✔ configuration valid: ${envFile} read (1 variable)`);
  });

  it('a misspelt variable: ⚠ naming the likely one, from .env or the environment; a name far from every setting is left alone', async () => {
    const { stateDir, envFile } = await setup();
    await writeFile(envFile, 'LISTEN_PROT=6000\nMY_APP_KEY=x\nhandler_retry_limit=3\n');
    const env = { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir, WEBHOOK_SECRETS: 'x', PATH: '/usr/bin' };
    const report = await runDoctor({ envFile, env });
    expect(lineOf(report, 'env')).toBe(
      `⚠ configuration valid: ${envFile} read (3 variables); LISTEN_PROT (in ${envFile}) is not a setting the workbench reads: did you mean LISTEN_PORT?; ` +
        `handler_retry_limit (in ${envFile}) is not a setting the workbench reads: did you mean HANDLER_RETRY_LIMIT?; ` +
        'WEBHOOK_SECRETS (in the environment) is not a setting the workbench reads: did you mean WEBHOOK_SECRET?\n' +
        '  → Spell it as the variable meant (see .env.example): the workbench reads names exactly, so as written it is ignored.',
    );
    expect(report.exitCode).toBe(0);
  });

  it('a named pipe as --dotenv: ✘ saying so at once (it waited for a writer forever), valid --json, exit 1', async () => {
    const { dir, stateDir } = await setup();
    const fifo = join(dir, 'env.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const result = await runScript('scripts/doctor.ts', { args: ['--json', '--dotenv', fifo], env: { WORKBENCH_STATE_DIR: stateDir } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.checks[1]).toEqual({
      id: 'env',
      status: 'fail',
      summary: `${fifo} cannot be read: it is a named pipe (FIFO)`,
      fix: `Make ${fifo} a text file of NAME=value lines (see .env.example), or remove it to use the defaults.`,
    });
    expect(report).toMatchObject({ ok: false, exitCode: 1, notRun: expect.arrayContaining(['mode', 'state-folder']) });
  });

  it('sandbox mode: no sandbox on SANDBOX_PORT, or something there that never answers, each get their own fix', async () => {
    const { stateDir, envFile } = await setup();
    const closed = await closedPort();
    const none = await runDoctor({ envFile, env: { SANDBOX_PORT: String(closed), WORKBENCH_STATE_DIR: stateDir } });
    expect(lineOf(none, 'identity-reachable')).toMatch(
      /\n {2}→ The sandbox is not running: start it with npm run sandbox \(npm start starts one of its own\)\.$/,
    );
    // Takes the connection, never answers: a stuck sandbox, or another program on the port.
    const held = new Set<Socket>();
    const silent = createNetServer((socket) => void held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onCleanup(() => {
      for (const socket of held) socket.destroy();
      return new Promise((resolve) => silent.close(resolve));
    });
    const port = (silent.address() as AddressInfo).port;
    const stuck = await runDoctor({ envFile, env: { SANDBOX_PORT: String(port), HTTP_TIMEOUT_MS: '300', WORKBENCH_STATE_DIR: stateDir } });
    expect(lineOf(stuck, 'identity-reachable')).toBe(
      `⚠ identity server http://127.0.0.1:${port} does not answer: no answer within 300 ms\n` +
        `  → Something at http://127.0.0.1:${port} takes connections but does not answer: a sandbox that is stuck or busy (restart it: Ctrl-C, then npm run sandbox), or another program on SANDBOX_PORT.`,
    );
    expect(lineOf(stuck, 'token')).toMatch(/\n {2}→ See the identity server line above, then check again\.$/);
  });

  it('identity, API and token are asked at once: a server that answers only when it holds all three gets three ✔', async () => {
    // Asked one after another, each would wait out its timeout for the next one that never came: three waits on a hung port.
    const { stateDir, envFile } = await setup();
    const held: { method: string; respond: () => void }[] = [];
    const server = createServer((request, response) => {
      held.push({
        method: `${request.method} ${request.url}`,
        respond: () =>
          request.url === '/connect/token'
            ? response
                .writeHead(200, { 'content-type': 'application/json' })
                .end(JSON.stringify({ access_token: 'tok', expires_in: 3600, scope: 'bracken-api-scope' }))
            : response.writeHead(404, { date: new Date().toUTCString() }).end(),
      });
      if (held.length === 3) for (const one of held) one.respond();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as AddressInfo).port;
    const report = await runDoctor({ envFile, env: { SANDBOX_PORT: String(port), WORKBENCH_STATE_DIR: stateDir } });
    expect(held.map((one) => one.method).sort()).toEqual(['GET /', 'GET /', 'POST /connect/token']);
    expect(['identity-reachable', 'api-reachable', 'token'].map((id) => report.checks.find((check) => check.id === id)?.status)).toEqual(['ok', 'ok', 'ok']);
    expect(report.checks.map((check) => check.id).slice(2, 6)).toEqual(['mode', 'identity-reachable', 'api-reachable', 'token']);
  });

  it('an unreachable identity server (live): ✘ with what failed, exit 1', async () => {
    const { stateDir, envFile } = await setup();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const report = await runDoctor({ envFile, env: liveEnv(stateDir, dead, dead) });
    expect(report.exitCode).toBe(1);
    expect(lineOf(report, 'identity-reachable')).toBe(
      `✘ identity server ${dead} does not answer: connect ECONNREFUSED ${dead.slice(7)}\n  → Check BRACKEN_IDENTITY_URL (unset: Bracken's own), your network and any proxy; then npm run doctor again.`,
    );
  });

  it('a wrong client secret: ✘ invalid_client naming the variables, the secret never in full, exit 1', async () => {
    const sandbox = await testSandbox();
    const { stateDir, envFile } = await setup();
    const report = await runDoctor({ envFile, env: liveEnv(stateDir, sandbox.url, sandbox.url, { BRACKEN_CLIENT_SECRET: 'not-the-demo-secret' }) });
    expect(report.exitCode).toBe(1);
    expect(lineOf(report, 'token')).toBe(
      "✘ no token: the identity server refused client demo with its secret not-…(19 chars) (invalid_client)\n  → Check BRACKEN_CLIENT_ID and BRACKEN_CLIENT_SECRET: copy them again from Bracken's admin portal.",
    );
    expect(JSON.stringify(report)).not.toContain('not-the-demo-secret');
  });

  it("clock skew: ✘ when the identity server's Date header is an hour old, exit 1", async () => {
    const { stateDir, envFile } = await setup();
    const server = createServer((_req, res) => res.writeHead(404, { date: new Date(Date.now() - 3600_000).toUTCString() }).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const report = await runDoctor({ envFile, env: liveEnv(stateDir, url, url) });
    expect(report.exitCode).toBe(1);
    expect(lineOf(report, 'clock-skew')).toMatch(
      /^✘ clock is 360[01] s ahead of the identity server's: signatures with a timestamp are refused beyond 300 s\n {2}→ Synchronise this machine's clock/,
    );
  });

  it("a subscription to yesterday's ngrok URL: ✘ naming both URLs, exit 1", async () => {
    const { stateDir, envFile } = await setup();
    const env = { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir };
    const apiUrl = loadConfig({ env }).apiUrl;
    await writeStepState(stateDir, apiUrl, 'https://old-otter.ngrok.app/webhooks', 'https://new-otter.ngrok.app/webhooks');
    const report = await runDoctor({ envFile, env });
    expect(report.exitCode).toBe(1);
    expect(lineOf(report, 'subscription-target')).toBe(
      '✘ subscription points elsewhere: user_create sends to https://old-otter.ngrok.app/webhooks, but the running listener is at https://new-otter.ngrok.app/webhooks\n' +
        '  → Run npm run step:2 again to point it at the listener (an ngrok URL changes on each start unless NGROK_DOMAIN is set).',
    );
  });

  it('a weak secret: ⚠ against the sandbox (exit 0), ✘ live', async () => {
    const { stateDir, envFile } = await setup();
    const env = { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir, WEBHOOK_SECRET: '12345' };
    const report = await runDoctor({ envFile, env });
    expect(report.exitCode).toBe(0);
    expect(lineOf(report, 'secret-strength')).toBe(
      "⚠ weak webhook secret: the one from WEBHOOK_SECRET: it is the example secret of Bracken's webhook tutorial, and it is shorter than 24 characters (harmless against the sandbox, not live)\n" +
        '  → Leave WEBHOOK_SECRET empty and run npm run step:2 (it generates a strong one), or set a long random one.',
    );
    const live = loadConfig({ env: liveEnv(stateDir, 'https://identity.example.invalid', 'https://api.example.invalid', { WEBHOOK_SECRET: '12345' }) });
    const outcome = await secretStrengthCheck.run({ config: live, env: {}, timeoutMs: 1, now: Date.now, probe: () => Promise.reject(new Error('not used')) });
    expect(outcome.status).toBe('fail');
  });

  it('a state folder that runs through a file: the one ✘ names WORKBENCH_STATE_DIR and the file, the rest wait, exit 1', async () => {
    const { dir, envFile } = await setup();
    await writeFile(join(dir, 'a-file'), 'not a folder');
    const stateDir = join(dir, 'a-file', 'state');
    const report = await runDoctor({ envFile, env: { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir } });
    expect(report.exitCode).toBe(1);
    expect(lineOf(report, 'env')).toBe(
      `✘ a setting is not valid: WORKBENCH_STATE_DIR=${JSON.stringify(stateDir)} is not valid: expected a folder, but ${join(dir, 'a-file')} is a file. (from the environment)\n` +
        '  → Point WORKBENCH_STATE_DIR at a folder (it is made when missing), or move the file away.',
    );
    expect(report.checks.map((check) => check.id)).not.toContain('state-folder');
  });

  it('state files readable by others: ✘ naming them with the chmod to run, exit 1', async () => {
    const { stateDir, envFile } = await setup();
    await mkdir(join(stateDir, 'journal'), { recursive: true });
    await writeFile(join(stateDir, 'token.json'), '{}', { mode: 0o600 });
    await chmod(join(stateDir, 'token.json'), 0o644);
    const report = await runDoctor({ envFile, env: { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir } });
    expect(report.exitCode).toBe(1);
    expect(lineOf(report, 'state-folder')).toBe(
      `✘ state folder ${stateDir}: 1 file readable by others (token.json); they can hold a token or the webhook secret\n  → chmod 600 ${join(stateDir, 'token.json')}`,
    );
  });

  it('a store that does not answer (DATABASE_URL on a closed port): ✘ with the password hidden, exit 1', async () => {
    const { stateDir, envFile } = await setup();
    const port = await closedPort();
    const env = {
      SANDBOX_PORT: String(await closedPort()),
      WORKBENCH_STATE_DIR: stateDir,
      DATABASE_URL: `postgres://hook:pa55-word-x@127.0.0.1:${port}/webhooks`,
    };
    const report = await runDoctor({ envFile, env });
    expect(report.exitCode).toBe(1);
    expect(lineOf(report, 'store')).toMatch(/^✘ store unhealthy: .*127\.0\.0\.1.*\[WORKBENCH_STORE_UNREACHABLE\]\n {2}→ /);
    expect(JSON.stringify(report)).not.toContain('pa55-word-x');
  });

  it('live without NGROK_AUTHTOKEN or WEBHOOK_TARGET: ✘ saying Bracken cannot reach the listener', async () => {
    const { stateDir, envFile } = await setup();
    const env = { ...liveEnv(stateDir, 'https://identity.example.invalid', 'https://api.example.invalid'), WEBHOOK_TARGET: undefined };
    const outcome = await runDoctor({ envFile, env: { ...env, HTTP_TIMEOUT_MS: '1' } });
    expect(lineOf(outcome, 'ngrok-token')).toMatch(/^✘ live mode without a public URL: NGROK_AUTHTOKEN and WEBHOOK_TARGET are both unset/);
  });
});

describe('the store line with the file journal', () => {
  it('counts pending, failed and dead deliveries; dead or failed ones are ⚠ with where to retry them', async () => {
    const { stateDir, envFile } = await setup();
    const journal = await openJournal({ dir: journalDir(stateDir), maxBytes: 1024 * 1024, keepFiles: 2 });
    for (const id of ['d1', 'd2', 'd3', 'd4']) {
      await journal.appendDelivery(validDeliveryRecord({ id, receivedAt: '2026-01-01T00:00:00.000Z', body: Buffer.from(`{"id":"${id}"}`) }), 'pending');
    }
    await journal.appendOutcomes([{ id: 'd2', handler: 'done' }]);
    await journal.appendOutcomes([{ id: 'd3', handler: 'failed', error: 'boom' }]);
    await journal.appendOutcomes([{ id: 'd4', handler: 'dead', error: 'boom' }]);
    await journal.close();
    const report = await runDoctor({ envFile, env: { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir } });
    expect(lineOf(report, 'store')).toBe(
      `⚠ store file journal ${journalDir(stateDir)}: 4 deliveries, 1 pending, 1 failed, 1 dead\n  → Open the inspector (npm run inspector, or the one step 3 runs) to see why, and Retry.`,
    );
    expect(report.exitCode).toBe(0);
  });
  it('a copy of a damaged journal end left in the journal folder is ⚠, named with its size, and says when to delete it', async () => {
    const { stateDir, envFile } = await setup();
    const dir = journalDir(stateDir);
    const journal = await openJournal({ dir, maxBytes: 1024 * 1024, keepFiles: 2 });
    await journal.appendDelivery(validDeliveryRecord({ id: 'd1', receivedAt: '2026-01-01T00:00:00.000Z', body: Buffer.from('{"id":"d1"}') }), 'pending');
    await journal.close();
    await appendFile(join(dir, 'journal-000001.bin'), 'WBJ2 torn');
    await (await openJournal({ dir, maxBytes: 1024 * 1024, keepFiles: 2 })).close(); // cuts the torn end, keeping a copy
    const [copy] = (await readdir(dir)).filter((name) => name.includes('.cut-'));
    const report = await runDoctor({ envFile, env: { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir } });
    expect(lineOf(report, 'store')).toBe(
      `⚠ store file journal ${dir}: 1 deliveries, 1 pending, 0 failed, 0 dead; ${copy} holds 9 bytes a listener cut off a damaged journal end\n  → After a crash (the listener killed mid-write) such a copy is a last write never acknowledged: delete it. Otherwise see the README, "A crash".`,
    );
    expect(report.exitCode).toBe(0);
  });
});

describe('the store line with Postgres (DATABASE_URL)', () => {
  it('✔ with the pending, failed and dead counts, exit 0', async () => {
    const { stateDir, envFile } = await setup();
    const env = { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir, DATABASE_URL: await testDatabase('doctor') };
    const report = await runDoctor({ envFile, env });
    expect(lineOf(report, 'store')).toMatch(/^✔ store Postgres postgres:\/\/[^\n]*: 0 deliveries, 0 pending, 0 failed, 0 dead$/);
    expect(report.exitCode).toBe(0);
  });
});

describe('the checks that need no setup', () => {
  it('Node older than 20.19 is ✘; 20.19, 22.12 and 24 are ✔', () => {
    expect(nodeVersionCheck('18.20.4').status).toBe('fail');
    expect(nodeVersionCheck('20.18.1').status).toBe('fail');
    expect(nodeVersionCheck('21.7.0').status).toBe('fail');
    expect(['20.19.0', '22.12.0', '24.1.0'].map((version) => nodeVersionCheck(version).status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('a .env that cannot be read (a folder) is ✘ and nothing else runs', async () => {
    const { dir } = await setup();
    const report = await runDoctor({ envFile: dir, env: {} });
    expect(report.exitCode).toBe(1);
    expect(lineOf(report, 'env')).toBe(
      `✘ ${dir} cannot be read: it is a folder\n  → Make ${dir} a text file of NAME=value lines (see .env.example), or remove it to use the defaults.`,
    );
    expect(report.notRun).toContain('token');
  });

  it('a .env saved with a byte order mark (Windows editors) still sets its first variable: live mode, not the sandbox', async () => {
    const { stateDir, envFile } = await setup();
    const live = liveEnv(stateDir, `http://127.0.0.1:${await closedPort()}`, `http://127.0.0.1:${await closedPort()}`);
    const lines = Object.entries(live).map(([name, value]) => `${name}=${value}`);
    await writeFile(envFile, `\uFEFF${lines.join('\r\n')}\r\n`);
    const report = await runDoctor({ envFile, env: {} });
    expect(lineOf(report, 'env')).toBe(`✔ configuration valid: ${envFile} read (${lines.length} variables)`);
    expect(lineOf(report, 'mode')).toMatch(/^✔ live mode: /);
  });

  it('a .env that is a folder: ✘ naming it, and what to do', async () => {
    const { envFile } = await setup();
    await mkdir(envFile);
    const report = await runDoctor({ envFile, env: {} });
    expect(report.exitCode).toBe(1);
    expect(lineOf(report, 'env')).toBe(
      `✘ ${envFile} cannot be read: it is a folder\n  → Make ${envFile} a text file of NAME=value lines (see .env.example), or remove it to use the defaults.`,
    );
  });

  it('sandbox mode with BRACKEN_CLIENT_SECRET set but no client id is ⚠: the id was likely forgotten', async () => {
    const { stateDir, envFile } = await setup();
    const report = await runDoctor({
      envFile,
      env: { SANDBOX_PORT: String(await closedPort()), WORKBENCH_STATE_DIR: stateDir, BRACKEN_CLIENT_SECRET: 'x'.repeat(30) },
    });
    expect(lineOf(report, 'mode')).toMatch(
      /^⚠ sandbox mode: BRACKEN_CLIENT_ID is not set, .*, though BRACKEN_CLIENT_SECRET is set\n {2}→ To go live, set BRACKEN_CLIENT_ID too/,
    );
  });
});
