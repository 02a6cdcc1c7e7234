/**
 * `npm run trigger`: what it says and makes, and how it refuses, before it changes anything, when
 * no sandbox runs or nothing subscribes to the event. The exit codes through the script itself:
 * 0 fired, 1 could not (with a Next: line), 2 a wrong command line; the other refusals call
 * triggerEvent (what the script runs) in this process.
 */
import { describe, expect, it } from 'vitest';
import { triggerEvent } from '../../scripts/trigger/trigger.ts';
import { TRIGGER_NO_SANDBOX, TRIGGER_NOT_SUBSCRIBED, TRIGGER_REFUSED, TRIGGER_TIMEOUT } from '../../scripts/trigger/errors.ts';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { openState } from '../../steps/lib/core/state.ts';
import { EVENT_NAMES } from '../../steps/lib/core/event-names.ts';
import { subscribe, accessToken, createUser, startReceiver } from '../sandbox/helpers.ts';
import { captureLog } from '../helpers/output.ts';
import { runScript } from '../helpers/process.ts';
import { rejection } from '../helpers/rejection.ts';
import { sandboxEnv, sandboxRun } from '../e2e/helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { freePort } from '../../scripts/walkthrough/free-port.ts';
import { loopbackBracken } from '../helpers/loopback-bracken.ts';

const SECRET = 'trigger-test-secret-0123456789';

/** POSTs to one of the sandbox's learning routes (a new module or course); its answer's keys. */
async function postLearning(sandbox: { readonly url: string }, path: string, body: object): Promise<{ modulekey: number; coursekey: number }> {
  const answer = await fetch(`${sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await answer.json()) as { modulekey: number; coursekey: number };
}

describe('npm run trigger (the script)', () => {
  it('--list: every event, in lower case, with what it needs; exit 0', async () => {
    const { code, stdout } = await runScript('scripts/trigger.ts', { args: ['--list'] });
    expect(code).toBe(0);
    for (const name of EVENT_NAMES) expect(stdout).toMatch(new RegExp(`^ {2}${name.toLowerCase()} +\\S`, 'm'));
    expect(stdout).toContain(
      '  module_expired   as module_complete, then moves the certificate past its expiry (Module_Expiring fires first, as time passes it)',
    );
    expect(stdout).toContain('Subscribe first: WEBHOOK_EVENTS=<event>[,<event>...] npm run step:2');
  });

  // One test per pair of child processes: each takes seconds on a loaded machine.
  it('no event, or two events: exit 2, the error coded, then the usage', async () => {
    const none = await runScript('scripts/trigger.ts');
    expect([none.code, none.stderr]).toEqual([
      2,
      expect.stringMatching(/^Error: Name one event\. \[WORKBENCH_TRIGGER_USAGE\]\n\nUsage: npm run trigger -- <event>/),
    ]);
    const two = await runScript('scripts/trigger.ts', { args: ['user_create', 'user_delete'] });
    expect([two.code, two.stderr]).toEqual([
      2,
      expect.stringMatching(/^Error: One event at a time \(got user_create, user_delete\)\. \[WORKBENCH_TRIGGER_USAGE\]\n\nUsage: /),
    ]);
  });

  it('an unknown option, or one given twice: exit 2, the error coded, then the usage', async () => {
    const option = await runScript('scripts/trigger.ts', { args: ['user_create', '--modul', '5'] });
    expect([option.code, option.stdout, option.stderr]).toEqual([
      2,
      '',
      expect.stringMatching(/^Error: Unknown option '--modul'\..* \[WORKBENCH_TRIGGER_USAGE\]\n\nUsage: /),
    ]);
    const twice = await runScript('scripts/trigger.ts', { args: ['module_start', '--user', 'Ana', '--module', '5', '--user=Bo'] });
    expect([twice.code, twice.stdout, twice.stderr]).toEqual([
      2,
      '',
      expect.stringMatching(/^Error: --user is given 2 times: give it once\. \[WORKBENCH_TRIGGER_USAGE\]\n\nUsage: /),
    ]);
  });

  it('an unknown event: exit 2, naming the events', async () => {
    const unknown = await runScript('scripts/trigger.ts', { args: ['lesson_viewed'] });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Error: "lesson_viewed" is not a Bracken event. [WORKBENCH_TRIGGER_USAGE]');
    expect(unknown.stderr).toContain('Next: Use one of user_create, user_delete, module_start,');
  });

  it('no sandbox running: saying how to start one (in this process; exit 1 through the script: no active subscription, below)', async () => {
    const stateDir = await tempDir('trigger');
    const config = loadConfig({ env: sandboxEnv(stateDir, { SANDBOX_PORT: String(await freePort()) }) });
    const error = await rejection(triggerEvent({ event: 'module_complete', config, log: () => {} }));
    expect(error.code).toBe(TRIGGER_NO_SANDBOX);
    expect(error.message).toMatch(/^No sandbox is running at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\.$/);
    expect(error.hint).toMatch(/^Start it in another terminal with `npm run sandbox`/);
  });

  it('no active subscription to the event: exit 1, saying how to subscribe, and nothing is made', async () => {
    const { env, sandbox } = await sandboxRun();
    const { code, stdout, stderr } = await runScript('scripts/trigger.ts', { env, args: ['Module_Start'] });
    expect(code).toBe(1);
    expect(stdout).toBe(`Trigger: Module_Start through the sandbox at ${sandbox.url}\n`);
    expect(stderr).toContain(
      `Error: No active subscription to Module_Start in the sandbox at ${sandbox.url} (domainkey 15435): nothing would be delivered. [WORKBENCH_TRIGGER_NOT_SUBSCRIBED]`,
    );
    expect(stderr).toContain(
      'Next: Subscribe first: WEBHOOK_EVENTS=module_start npm run step:2 (or add module_start to WEBHOOK_EVENTS in .env), with npm run step:3 running to receive it; then run this again.',
    );
    expect(sandbox.users()).toEqual([]);
    expect(sandbox.deliveries()).toEqual([]);
  });
});

describe('triggerEvent()', () => {
  it('against the real Bracken it refuses: Bracken has no trigger routes', async () => {
    const config = loadConfig({
      env: { BRACKEN_CLIENT_ID: 'acme', BRACKEN_CLIENT_SECRET: 'x', BRACKEN_DOMAINKEY: '1', WORKBENCH_STATE_DIR: await tempDir('trigger') },
    });
    const error = await rejection(triggerEvent({ event: 'user_create', config, log: () => {} }));
    expect(error.code).toBe(TRIGGER_NO_SANDBOX);
    expect(error.message).toBe('BRACKEN_CLIENT_ID is set, so the workbench talks to Bracken at https://api.brackenlearning.com, which has no trigger routes.');
  });

  it('something else answers 200 at the sandbox URL (a web page, JSON null): TRIGGER_NO_SANDBOX, not a crash', async () => {
    for (const [type, body] of [
      ['text/html', '<html>not a sandbox</html>'],
      ['application/json', 'null'],
    ] as const) {
      const other = await loopbackBracken((_request, response) => void response.writeHead(200, { 'content-type': type }).end(body));
      const config = loadConfig({ env: sandboxEnv(await tempDir('trigger'), { SANDBOX_PORT: new URL(other.url).port }) });
      const error = await rejection(triggerEvent({ event: 'user_create', config, log: () => {} }));
      expect([error.code, error.message]).toEqual([
        TRIGGER_NO_SANDBOX,
        `What answers at ${other.url} is not the workbench's sandbox, or a version that cannot fire the learning events.`,
      ]);
      expect(other.seen).toEqual(['GET /']);
    }
  });

  it('a sandbox that takes the connection but does not answer in time: TRIGGER_TIMEOUT (busy), not "No sandbox is running"', async () => {
    const busy = await loopbackBracken(() => {}); // reads each request, never answers
    const env = sandboxEnv(await tempDir('trigger'), { SANDBOX_PORT: new URL(busy.url).port, HTTP_TIMEOUT_MS: '300' });
    const error = await rejection(triggerEvent({ event: 'user_create', config: loadConfig({ env }), log: () => {} }));
    expect([error.code, error.message]).toEqual([TRIGGER_TIMEOUT, `The sandbox at ${busy.url} did not answer GET / within 300 ms.`]);
    expect(error.hint).toBe(
      'It is running but busy (thousands of deliveries?) or stuck: wait and run this again, or raise HTTP_TIMEOUT_MS. ' +
        'What this run said it created is in the sandbox, and the request that timed out may have been carried out too: GET /sandbox/deliveries shows what was sent.',
    );
  });

  it('an inactive subscription: says step 6 switched it off', async () => {
    const { config, sandbox } = await sandboxRun();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, 'http://127.0.0.1:9/webhooks', SECRET, { event: 'course_complete', active: false });
    const error = await rejection(triggerEvent({ event: 'course_complete', config, log: () => {} }));
    expect(error.code).toBe(TRIGGER_NOT_SUBSCRIBED);
    expect(error.hint).toMatch(/^\(The course_complete subscription is inactive: step 6 switched it off\.\) Subscribe first/);
  });

  it('--user and --module: uses them, making the user when it does not exist yet, and says what it made', async () => {
    const { config, sandbox } = await sandboxRun();
    const receiver = await startReceiver();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, receiver.url, SECRET, { event: 'module_start' });
    const module = (await (
      await fetch(`${sandbox.url}/sandbox/modules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    ).json()) as {
      modulekey: number;
    };
    const out = captureLog();
    const result = await triggerEvent({ event: 'module_start', user: 'Ana-1', module: module.modulekey, config, log: out.log });
    expect(result.created).toEqual([`user Ana-1 (userkey 1001), which fires User_Create`]);
    expect(out.lines).toContain(`Module: ${module.modulekey} "Module ${module.modulekey}"`);
    expect(out.lines).toContain('Also fired: User_Create (userkey 1001, username "Ana-1")');
    expect(out.lines).toContain('  no active subscription: not delivered');
    expect(out.lines).toContain(`Fired: Module_Start (userkey 1001, username "Ana-1", modulekey ${module.modulekey})`);
    expect(result.fired.at(-1)?.deliveries.map((d) => d.outcome)).toEqual(['delivered (200)']);

    // Again: the user exists now, so it is found, not made.
    const again = captureLog();
    const second = await triggerEvent({ event: 'module_start', user: 'ana-1', module: module.modulekey, config, log: again.log });
    expect(second.created).toEqual([]);
    expect(again.lines).toContain('User: Ana-1 (userkey 1001)');
  });

  it('deliveries made before the run are not taken for its own; each delivery it fired is found and followed', async () => {
    const { config, sandbox } = await sandboxRun();
    const receiver = await startReceiver();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, receiver.url, SECRET, { event: 'user_create' });
    await subscribe(sandbox, token, receiver.url, SECRET, { event: 'module_start' });
    // Three earlier User_Create deliveries, one of them for the user the run then names.
    for (const name of ['Bo-1', 'Bo-2', 'Cy-1']) await createUser(sandbox, token, name);
    const earlier = sandbox.deliveries().map((d) => d.id);
    expect(earlier).toHaveLength(3);

    const result = await triggerEvent({ event: 'module_start', user: 'Di-1', config, log: () => {} });
    const ids = result.fired.flatMap((f) => f.deliveries.map((d) => d.id));
    expect(result.fired.map((f) => [f.eventname, f.deliveries.map((d) => d.outcome)])).toEqual([
      ['User_Create', ['delivered (200)']],
      ['Module_Start', ['delivered (200)']],
    ]);
    expect(ids.filter((id) => earlier.includes(id))).toEqual([]);
    expect(sandbox.deliveries().map((d) => d.id)).toEqual([...earlier, ...ids]);
  });

  it('a --module or --course title with a newline or terminal escape is printed escaped, so it cannot forge or recolour a line', async () => {
    const { config, sandbox } = await sandboxRun();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, 'http://127.0.0.1:9/webhooks', SECRET, { event: 'course_complete' });
    await createUser(sandbox, token, 'Ana-1');
    const title = 'Safety\nFired: Course_Complete (forged)\u001b[2J';
    const { modulekey } = await postLearning(sandbox, '/sandbox/modules', { title });
    const { coursekey } = await postLearning(sandbox, '/sandbox/courses', { modulekeys: [modulekey], title });
    const out = captureLog();
    await triggerEvent({ event: 'course_complete', user: 'Ana-1', course: coursekey, config, log: out.log, waitMs: 0 });
    expect(out.lines).toContain(`Course: ${coursekey} "Safety\\nFired: Course_Complete (forged)\\u001b[2J" (modules ${modulekey})`);
    expect(out.text()).not.toContain('\u001b');
  });

  it('a sandbox that stops part-way: the error comes after what had fired already (a User_Create, sent to the receiver)', async () => {
    const { config, sandbox } = await sandboxRun();
    const receiver = await startReceiver();
    onCleanup(() => receiver.close());
    const token = await accessToken(sandbox);
    for (const event of ['user_create', 'module_complete']) await subscribe(sandbox, token, receiver.url, SECRET, { event });
    const out = captureLog();
    const log = (line: string) => {
      out.log(line);
      if (line.startsWith('Created: module')) void sandbox.close(); // before the module is completed
    };
    const error = await rejection(triggerEvent({ event: 'module_complete', config, log }));
    expect(error.code).toBe(TRIGGER_NO_SANDBOX);
    const fired = out.lines.slice(out.lines.findIndex((line) => line.startsWith('Created: module')) + 1);
    expect(fired).toEqual([
      expect.stringMatching(/^Also fired: User_Create \(userkey 1001, username "Trigger-User-[a-z0-9]+"\)$/),
      expect.stringMatching(
        /^ {2}delivery \S+ -> http:\/\/127\.0\.0\.1:\d+\/webhooks: what became of it is unknown \(the run stopped\); GET \/sandbox\/deliveries says$/,
      ),
    ]);
  });

  it('user.json names a user this sandbox no longer has: the new user that takes its userkey is not called the recorded one', async () => {
    const { config, sandbox } = await sandboxRun();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, 'http://127.0.0.1:9/webhooks', SECRET, { event: 'module_start' });
    // Step 4's user from before the sandbox's store was reset: userkey 1001, which the next new user gets again.
    await openState(config.stateDir).write('user', {
      apiUrl: config.apiUrl,
      domainkey: config.domainkey,
      userkey: 1001,
      username: 'Test-User-gone',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const result = await triggerEvent({ event: 'module_start', config, log: () => {}, waitMs: 0 });
    expect(result.created[0]).toMatch(/^user Trigger-User-[a-z0-9]+ \(userkey 1001\), which fires User_Create$/);
    expect(result.recordedUser).toBe(false);
  });

  it('user.json names a user whose name another userkey now has: that user is not used as, or called, the recorded one', async () => {
    const { config, sandbox } = await sandboxRun();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, 'http://127.0.0.1:9/webhooks', SECRET, { event: 'module_start' });
    await createUser(sandbox, token, 'Someone-Else'); // 1001
    await createUser(sandbox, token, 'Test-User-ab12'); // 1002: the recorded name, another user
    const user = { apiUrl: config.apiUrl, domainkey: config.domainkey, userkey: 1001, username: 'Test-User-ab12', createdAt: '2026-01-01T00:00:00.000Z' };
    await openState(config.stateDir).write('user', user);
    const out = captureLog();
    const result = await triggerEvent({ event: 'module_start', config, log: out.log, waitMs: 0 });
    expect(out.lines.filter((line) => line.includes('the test user step 4 recorded'))).toEqual([]);
    expect(result.created[0]).toMatch(/^user Trigger-User-[a-z0-9]+ \(userkey 1003\), which fires User_Create$/);
    expect(result.recordedUser).toBe(false);
  });

  it('an unknown --module is refused before anything fires', async () => {
    const { config, sandbox } = await sandboxRun();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, 'http://127.0.0.1:9/webhooks', SECRET, { event: 'module_complete' });
    await createUser(sandbox, token, 'Ana-1');
    const error = await rejection(triggerEvent({ event: 'module_complete', user: 'Ana-1', module: 4242, config, log: () => {} }));
    expect(error.code).toBe(TRIGGER_REFUSED);
    expect(error.message).toBe('The sandbox has no module with modulekey 4242.');
    expect(sandbox.deliveries()).toEqual([]);
  });

  it('an unknown --module or --course is refused before a user is made for it (no User_Create fires)', async () => {
    const { config, sandbox } = await sandboxRun();
    const token = await accessToken(sandbox);
    for (const event of ['user_create', 'module_start', 'course_complete']) await subscribe(sandbox, token, 'http://127.0.0.1:9/webhooks', SECRET, { event });
    const module = await rejection(triggerEvent({ event: 'module_start', user: 'New-1', module: 4242, config, log: () => {} }));
    expect([module.code, module.message]).toEqual([TRIGGER_REFUSED, 'The sandbox has no module with modulekey 4242.']);
    const course = await rejection(triggerEvent({ event: 'course_complete', course: 4243, config, log: () => {} }));
    expect([course.code, course.message]).toEqual([TRIGGER_REFUSED, 'The sandbox has no course with coursekey 4243.']);
    expect(sandbox.users()).toEqual([]);
    expect(sandbox.deliveries()).toEqual([]);
  });

  it('an Expiring or Expired event for a --module or --course whose certificates never expire is refused before the completion fires', async () => {
    const { config, sandbox } = await sandboxRun();
    const token = await accessToken(sandbox);
    for (const event of ['module_complete', 'module_expiring', 'course_complete', 'course_expired'])
      await subscribe(sandbox, token, 'http://127.0.0.1:9/webhooks', SECRET, { event });
    await createUser(sandbox, token, 'Ana-1');
    const { modulekey } = await postLearning(sandbox, '/sandbox/modules', { lifetimeMonths: null });
    const { coursekey } = await postLearning(sandbox, '/sandbox/courses', { modulekeys: [modulekey], lifetimeMonths: null });
    const before = sandbox.deliveries().length; // Ana-1's User_Create

    const module = await rejection(triggerEvent({ event: 'module_expiring', user: 'Ana-1', module: modulekey, config, log: () => {} }));
    expect([module.code, module.message, module.hint]).toEqual([
      TRIGGER_REFUSED,
      `Module ${modulekey}'s certificates never expire (lifetimeMonths null), so there is no Module_Expiring to fire.`,
      'Leave --module out to have a module made whose certificates last 12 months.',
    ]);
    const course = await rejection(triggerEvent({ event: 'course_expired', user: 'Ana-1', course: coursekey, config, log: () => {} }));
    expect([course.code, course.message]).toEqual([
      TRIGGER_REFUSED,
      `Course ${coursekey}'s certificates never expire (lifetimeMonths null), so there is no Course_Expired to fire.`,
    ]);
    expect(sandbox.deliveries()).toHaveLength(before);
  });

  it('a receiver that is down: says the delivery is not delivered yet and that the sandbox retries it', async () => {
    const { config, sandbox } = await sandboxRun();
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, `http://127.0.0.1:${await freePort()}/webhooks`, SECRET, { event: 'user_create' });
    const out = captureLog();
    await triggerEvent({ event: 'user_create', config, log: out.log, waitMs: 2_000 });
    expect(out.lines.find((line) => line.startsWith('  delivery '))).toMatch(
      /: not delivered yet: .*ECONNREFUSED.*; the sandbox retries it \(is npm run step:3 running\?\)$/,
    );
  });

  it('a delivery the sandbox gave up on is reported "failed for good", not "the sandbox retries it"', async () => {
    // The next attempt (5 s) would fall after SANDBOX_RETRY_MAX_AGE (1 s): the first failure is the last.
    const { config, sandbox } = await sandboxRun({ SANDBOX_RETRY_SCHEDULE: '5000', SANDBOX_RETRY_MAX_AGE: '1s' });
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, `http://127.0.0.1:${await freePort()}/webhooks`, SECRET, { event: 'user_create' });
    const out = captureLog();
    await triggerEvent({ event: 'user_create', config, log: out.log, waitMs: 2_000 });
    expect(out.lines.find((line) => line.startsWith('  delivery '))).toMatch(
      /: failed for good: not delivered within 1s \(SANDBOX_RETRY_MAX_AGE\) after 1 attempt \(last: .*ECONNREFUSED.*\)$/,
    );
  });

  it('a receiver that refuses (401): says what it answered, not "is npm run step:3 running?"', async () => {
    const { config, sandbox } = await sandboxRun({ SANDBOX_RETRY_SCHEDULE: '60000' });
    const receiver = await startReceiver({ statuses: [401] });
    onCleanup(() => receiver.close());
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, receiver.url, SECRET, { event: 'user_create' });
    const out = captureLog();
    await triggerEvent({ event: 'user_create', config, log: out.log, waitMs: 2_000 });
    expect(out.lines.find((line) => line.startsWith('  delivery '))).toMatch(
      /: not delivered yet: your receiver answered HTTP 401; the sandbox retries it \(the receiver's log says why it refused: another secret\?\)$/,
    );
  });
});
