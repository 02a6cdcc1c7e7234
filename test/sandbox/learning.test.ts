/**
 * The sandbox's learning routes (the sandbox's own, not Bracken's): modules, courses, completions
 * and certificates, and the seven learning events they fire through the delivery engine: signed,
 * in the provisional shapes, in a fixed key order, kept in the store across a restart.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkBrackenEvent } from '../../steps/lib/bracken/events.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import type { RunningSandbox } from '../../scripts/sandbox/index.ts';
import { accessToken, call, createUser, startReceiver, subscribe, testSandbox, type JsonAnswer, type Receiver } from './helpers.ts';

const SECRET = 'whsec-learning-0123456789abcdef';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A sandbox with `events` subscribed by a receiver, and one user. */
async function subscribed(events: string[]): Promise<{ sandbox: RunningSandbox; receiver: Receiver; userkey: number }> {
  const sandbox = await testSandbox();
  const receiver = await startReceiver();
  const token = await accessToken(sandbox);
  for (const event of events) await subscribe(sandbox, token, receiver.url, SECRET, { event });
  const userkey = await createUser(sandbox, token, 'Learner-1');
  return { sandbox, receiver, userkey };
}

async function post(sandbox: RunningSandbox, path: string, body: unknown): Promise<JsonAnswer> {
  return call(sandbox, 'POST', path, { body });
}

/** The payloads the receiver got, parsed, each checked to verify and to fit its shape. */
function payloads(receiver: Receiver): Record<string, unknown>[] {
  return receiver.requests.map((request) => {
    expect(bracken.verify({ body: request.body, headers: request.headers, secrets: [SECRET] })).toEqual({ ok: true, secretIndex: 0 });
    const payload = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    expect(checkBrackenEvent(payload).ok).toBe(true);
    return payload;
  });
}

describe('modules and courses', () => {
  it('POST /sandbox/modules makes a module (201) with a key, a title and a 12-month certificate lifetime by default', async () => {
    const sandbox = await testSandbox();
    const made = await post(sandbox, '/sandbox/modules', {});
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ modulekey: 2001, domainkey: 15435, title: 'Module 2001', lifetimeMonths: 12 });
    const named = await post(sandbox, '/sandbox/modules', { title: 'Fire safety', lifetimeMonths: null });
    expect(named.json).toMatchObject({ modulekey: 2002, title: 'Fire safety', lifetimeMonths: null });
    expect((await call(sandbox, 'GET', '/sandbox/modules')).json).toHaveLength(2);
  });

  it('refuses a bad body naming every bad field, and a body that is not JSON with 415', async () => {
    const sandbox = await testSandbox();
    const bad = await post(sandbox, '/sandbox/modules', { title: '', lifetimeMonths: 0 });
    expect(bad.status).toBe(400);
    expect((bad.json as { errors: Record<string, unknown> }).errors).toEqual({
      title: ['The title field must be a non-empty string of at most 256 characters.'],
      lifetimeMonths: ['The lifetimeMonths field must be a whole number of months from 1 to 1200, or null (never expires).'],
    });
    const text = await call(sandbox, 'POST', '/sandbox/modules', { body: '{}', contentType: 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('a course needs modules the sandbox knows', async () => {
    const sandbox = await testSandbox();
    const none = await post(sandbox, '/sandbox/courses', { modulekeys: [] });
    expect(none.status).toBe(400);
    const unknown = await post(sandbox, '/sandbox/courses', { modulekeys: [4242] });
    expect([unknown.status, (unknown.json as { detail: string }).detail]).toEqual([404, 'No module with modulekey 4242: POST /sandbox/modules creates one.']);
  });
});

describe('the learning events', () => {
  it('Module_Start: a signed delivery in the provisional shape, keys in a fixed order', async () => {
    const { sandbox, receiver, userkey } = await subscribed(['module_start']);
    const { modulekey } = (await post(sandbox, '/sandbox/modules', {})).json as { modulekey: number };
    const started = await post(sandbox, `/sandbox/modules/${modulekey}/start`, { username: 'learner-1' });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ fired: [{ eventname: 'Module_Start', deliveries: [{ target: receiver.url }] }] });
    await sandbox.whenIdle(10_000);
    const [payload] = payloads(receiver);
    const order = ['eventname', 'domainkey', 'userkey', 'username', 'modulekey', 'timestamp'];
    expect(Object.keys(payload ?? {})).toEqual(order);
    // The answer shows the payload as delivered, keys in the same order.
    const [answered] = (started.json as { fired: { payload: Record<string, unknown> }[] }).fired;
    expect(Object.keys(answered?.payload ?? {})).toEqual(order);
    expect(answered?.payload).toEqual(payload);
    expect(payload).toMatchObject({ eventname: 'Module_Start', domainkey: 15435, userkey, username: 'Learner-1', modulekey });
  });

  it('Module_Complete with a pass earns a certificate that the URL in the payload serves; a fail earns none', async () => {
    const { sandbox, receiver, userkey } = await subscribed(['module_complete']);
    const { modulekey } = (await post(sandbox, '/sandbox/modules', { lifetimeMonths: 6 })).json as { modulekey: number };
    const passed = await post(sandbox, `/sandbox/modules/${modulekey}/complete`, { userkey, mark: 87 });
    const failed = await post(sandbox, `/sandbox/modules/${modulekey}/complete`, { userkey, passed: false, mark: 40 });
    expect((failed.json as { certificate: unknown }).certificate).toBeNull();
    await sandbox.whenIdle(10_000);
    const [pass, fail] = payloads(receiver);
    expect(Object.keys(pass ?? {})).toEqual([
      'eventname',
      'domainkey',
      'userkey',
      'username',
      'modulekey',
      'passed',
      'mark',
      'certificate',
      'expires',
      'timestamp',
    ]);
    const certificate = (passed.json as { certificate: { certificatekey: number; url: string; expires: string; issued: string } }).certificate;
    expect(pass).toMatchObject({
      eventname: 'Module_Complete',
      userkey,
      modulekey,
      passed: true,
      mark: 87,
      certificate: certificate.url,
      expires: certificate.expires,
    });
    expect(certificate.url).toBe(`${sandbox.url}/sandbox/certificates/${certificate.certificatekey}`);
    const months = new Date(certificate.issued);
    months.setUTCMonth(months.getUTCMonth() + 6);
    expect(certificate.expires).toBe(months.toISOString());
    expect((await call(sandbox, 'GET', new URL(certificate.url).pathname)).json).toMatchObject({
      certificatekey: certificate.certificatekey,
      userkey,
      modulekey,
    });
    expect(fail).toMatchObject({ eventname: 'Module_Complete', passed: false, mark: 40, certificate: null, expires: null });
  });

  it('the pass that completes the last module of a course fires Course_Complete too, once', async () => {
    const { sandbox, receiver, userkey } = await subscribed(['module_complete', 'course_complete']);
    const a = ((await post(sandbox, '/sandbox/modules', {})).json as { modulekey: number }).modulekey;
    const b = ((await post(sandbox, '/sandbox/modules', {})).json as { modulekey: number }).modulekey;
    const { coursekey } = (await post(sandbox, '/sandbox/courses', { modulekeys: [a, b], lifetimeMonths: null })).json as { coursekey: number };
    const first = await post(sandbox, `/sandbox/modules/${a}/complete`, { userkey });
    expect((first.json as { fired: { eventname: string }[] }).fired.map((f) => f.eventname)).toEqual(['Module_Complete']);
    const last = await post(sandbox, `/sandbox/modules/${b}/complete`, { userkey });
    expect((last.json as { fired: { eventname: string }[] }).fired.map((f) => f.eventname)).toEqual(['Module_Complete', 'Course_Complete']);
    const again = await post(sandbox, `/sandbox/modules/${b}/complete`, { userkey });
    expect((again.json as { fired: { eventname: string }[] }).fired.map((f) => f.eventname)).toEqual(['Module_Complete']);
    await sandbox.whenIdle(10_000);
    expect(payloads(receiver).find((p) => p.eventname === 'Course_Complete')).toMatchObject({ coursekey, userkey, expires: null });
  });

  it('POST /sandbox/courses/{key}/complete completes the modules left, then the course, and answers with the course certificate', async () => {
    const { sandbox, receiver, userkey } = await subscribed(['course_complete']);
    const a = ((await post(sandbox, '/sandbox/modules', {})).json as { modulekey: number }).modulekey;
    const b = ((await post(sandbox, '/sandbox/modules', {})).json as { modulekey: number }).modulekey;
    const { coursekey } = (await post(sandbox, '/sandbox/courses', { modulekeys: [a, b] })).json as { coursekey: number };
    await post(sandbox, `/sandbox/modules/${a}/complete`, { userkey });
    const done = (await post(sandbox, `/sandbox/courses/${coursekey}/complete`, { userkey })).json as {
      fired: { eventname: string; deliveries: unknown[] }[];
      certificate: { coursekey: number; modulekey: null };
    };
    expect(done.fired.map((f) => [f.eventname, f.deliveries.length])).toEqual([
      ['Module_Complete', 0],
      ['Course_Complete', 1],
    ]);
    expect(done.certificate).toMatchObject({ coursekey, modulekey: null, userkey });
    await sandbox.whenIdle(10_000);
    expect(payloads(receiver).map((p) => p.eventname)).toEqual(['Course_Complete']);
  });

  it('moving the clock to the Expiring notice fires Module_Expiring once; past the expiry, Module_Expired once', async () => {
    const { sandbox, receiver, userkey } = await subscribed(['module_expiring', 'module_expired']);
    const { modulekey } = (await post(sandbox, '/sandbox/modules', {})).json as { modulekey: number };
    const { certificate } = (await post(sandbox, `/sandbox/modules/${modulekey}/complete`, { userkey })).json as { certificate: { certificatekey: number } };
    const clock = (body: unknown) => post(sandbox, `/sandbox/certificates/${certificate.certificatekey}/clock`, body);

    const notice = await clock({ to: 'expiring' });
    const noticed = notice.json as { fired: { eventname: string }[]; certificate: { expires: string } };
    expect(noticed.fired.map((f) => f.eventname)).toEqual(['Module_Expiring']);
    // 30 days (SANDBOX_EXPIRING_DAYS) before the (moved) expiry.
    expect(Math.abs(Date.parse(noticed.certificate.expires) - Date.now() - 30 * DAY_MS)).toBeLessThan(60_000);
    expect(((await clock({ days: 1 })).json as { fired: unknown[] }).fired).toEqual([]);
    const expired = (await clock({ to: 'expired' })).json as { fired: { eventname: string }[] };
    expect(expired.fired.map((f) => f.eventname)).toEqual(['Module_Expired']);
    expect(((await clock({ to: 'expired' })).json as { fired: unknown[] }).fired).toEqual([]);
    await sandbox.whenIdle(10_000);
    expect(payloads(receiver).map((p) => [p.eventname, p.modulekey])).toEqual([
      ['Module_Expiring', modulekey],
      ['Module_Expired', modulekey],
    ]);
  });

  it('a clock moved straight past the expiry fires Course_Expiring, then Course_Expired', async () => {
    const { sandbox, receiver, userkey } = await subscribed(['course_expiring', 'course_expired']);
    const { modulekey } = (await post(sandbox, '/sandbox/modules', {})).json as { modulekey: number };
    const { coursekey } = (await post(sandbox, '/sandbox/courses', { modulekeys: [modulekey] })).json as { coursekey: number };
    const { certificate } = (await post(sandbox, `/sandbox/courses/${coursekey}/complete`, { userkey })).json as { certificate: { certificatekey: number } };
    const moved = await post(sandbox, `/sandbox/certificates/${certificate.certificatekey}/clock`, { days: 400 });
    expect((moved.json as { fired: { eventname: string }[] }).fired.map((f) => f.eventname)).toEqual(['Course_Expiring', 'Course_Expired']);
    await sandbox.whenIdle(10_000);
    expect(payloads(receiver).map((p) => [p.eventname, p.coursekey])).toEqual([
      ['Course_Expiring', coursekey],
      ['Course_Expired', coursekey],
    ]);
  });

  it('refusals: an unknown user (404), a certificate that never expires (409), a clock body that says neither (400)', async () => {
    const { sandbox, userkey } = await subscribed([]);
    const { modulekey } = (await post(sandbox, '/sandbox/modules', { lifetimeMonths: null })).json as { modulekey: number };
    const nobody = await post(sandbox, `/sandbox/modules/${modulekey}/start`, { userkey: 999 });
    expect([nobody.status, (nobody.json as { detail: string }).detail]).toEqual([
      404,
      'No user with userkey 999 in domain 15435: POST /api/user/create/domain/15435 creates one.',
    ]);
    const { certificate } = (await post(sandbox, `/sandbox/modules/${modulekey}/complete`, { userkey })).json as {
      certificate: { certificatekey: number; expires: null };
    };
    expect(certificate.expires).toBeNull();
    const forever = await post(sandbox, `/sandbox/certificates/${certificate.certificatekey}/clock`, { to: 'expired' });
    expect(forever.status).toBe(409);
    const neither = await post(sandbox, `/sandbox/certificates/${certificate.certificatekey}/clock`, { to: 'later', days: 3 });
    expect(neither.status).toBe(400);
    const both = await post(sandbox, `/sandbox/modules/${modulekey}/start`, { userkey, username: 'Learner-1' });
    expect(both.status).toBe(400);
  });

  it('keeps modules, courses and certificates in the store across a restart', async () => {
    const { sandbox, userkey } = await subscribed([]);
    const { modulekey } = (await post(sandbox, '/sandbox/modules', {})).json as { modulekey: number };
    await post(sandbox, `/sandbox/modules/${modulekey}/complete`, { userkey });
    const port = sandbox.port;
    await sandbox.close();
    const again = await testSandbox({ port, stateDir: sandbox.storeFile.replace(/\/sandbox\/store-\d+\.json$/, '') });
    expect((await call(again, 'GET', '/sandbox/modules')).json).toMatchObject([{ modulekey }]);
    expect((await call(again, 'GET', '/sandbox/certificates')).json).toMatchObject([{ userkey, modulekey }]);
    // What the store keeps of a completion: no more than the rules need.
    const stored = JSON.parse(await readFile(sandbox.storeFile, 'utf8')) as { learning: { completions: object[] } };
    expect(stored.learning.completions.map((c) => Object.keys(c).sort())).toEqual([
      ['certificatekey', 'completedAt', 'mark', 'modulekey', 'passed', 'userkey'],
    ]);
    expect(((await post(again, '/sandbox/modules', {})).json as { modulekey: number }).modulekey).toBe(modulekey + 2);
  });
});
