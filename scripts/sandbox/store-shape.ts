/**
 * What a sandbox store file must hold, record by record. The store is a JSON file people open in
 * an editor (to rescue a delivery, to drop a user); a record edited into another shape must stop
 * the start with a message naming it, not crash the sandbox later (a null delivery) or send
 * something with no address and no attempt count in a loop. Fields added after version 1 shipped
 * (a delivery's `attemptLog`, `reason`, `endedAt`; the whole `learning` part) may be absent: older
 * stores load, and store.ts fills them in.
 *
 * @example
 * storeShapeProblem({ version: 1, ..., deliveries: [null] }) // 'deliveries[0] is null, not an object'
 * storeShapeProblem(goodStore)                              // undefined
 */
import { EVENT_NAMES } from './events.ts';
import { describeValue, isObject } from '../../steps/lib/core/index.ts';
import { eachProblem, fieldsProblem, type Fields } from './json-fields.ts';

const SUBSCRIPTION: Fields = {
  domainkey: 'int',
  eventname: EVENT_NAMES,
  target: 'string',
  secret: 'string',
  active: 'boolean',
  created: 'string',
  modified: 'string',
};
const USER: Fields = {
  userkey: 'int',
  username: 'string',
  firstname: 'string?',
  lastname: 'string?',
  email: 'string?',
  domainkey: 'int',
  created: 'string',
  modified: 'string',
};
const DELIVERY: Fields = {
  id: 'string',
  eventname: EVENT_NAMES,
  domainkey: 'int',
  target: 'string',
  body: 'string',
  authorization: 'string',
  createdAt: 'time',
  status: ['pending', 'delivered', 'failed', 'cancelled'],
  attempts: 'int',
  nextAttemptAt: 'time?',
  lastAttemptAt: 'string?',
  lastStatus: 'int?',
  lastError: 'string?',
  deliveredAt: 'string?',
};
/** A delivery's fields that stores written before the delivery log lack. */
const DELIVERY_LATER: Fields = { attemptLog: 'array', reason: 'string?', endedAt: 'string?' };
const LEARNING: Fields = { nextKey: 'int', modules: 'array', courses: 'array', completions: 'array', certificates: 'array' };
const MODULE: Fields = { modulekey: 'int', domainkey: 'int', title: 'string', lifetimeMonths: 'int?', created: 'string' };
const COURSE: Fields = { coursekey: 'int', domainkey: 'int', title: 'string', modulekeys: 'array', lifetimeMonths: 'int?', created: 'string' };
const COMPLETION: Fields = { userkey: 'int', modulekey: 'int', passed: 'boolean', mark: 'number', completedAt: 'string', certificatekey: 'int?' };
const CERTIFICATE: Fields = {
  certificatekey: 'int',
  domainkey: 'int',
  userkey: 'int',
  username: 'string',
  modulekey: 'int?',
  coursekey: 'int?',
  issued: 'time',
  expires: 'time?',
  expiringFiredAt: 'string?',
  expiredFiredAt: 'string?',
};

/** Why `value` is not a version 1 sandbox store (the first thing found), or undefined when it is one. */
export function storeShapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not a JSON object';
  if (value.version !== 1) return `version is ${describeValue(value.version)}, not 1`;
  const top = fieldsProblem('', value, { signingKey: 'string', nextUserkey: 'int', subscriptions: 'array', users: 'array', deliveries: 'array' });
  if (top !== undefined) return top;
  const records: [string, unknown[], Fields][] = [
    ['subscriptions', value.subscriptions as unknown[], SUBSCRIPTION],
    ['users', value.users as unknown[], USER],
    ['deliveries', value.deliveries as unknown[], DELIVERY],
  ];
  const learning = value.learning;
  if (learning !== undefined) {
    if (!isObject(learning)) return `learning is ${describeValue(learning)}, not an object`;
    const problem = fieldsProblem('learning.', learning, LEARNING);
    if (problem !== undefined) return problem;
    records.push(
      ['learning.modules', learning.modules as unknown[], MODULE],
      ['learning.courses', learning.courses as unknown[], COURSE],
      ['learning.completions', learning.completions as unknown[], COMPLETION],
      ['learning.certificates', learning.certificates as unknown[], CERTIFICATE],
    );
  }
  for (const [name, list, fields] of records) {
    const problem = eachProblem(
      name,
      list,
      (record, at) =>
        fieldsProblem(`${at}.`, record, fields) ?? (fields === DELIVERY ? fieldsProblem(`${at}.`, record, DELIVERY_LATER, { optional: true }) : undefined),
    );
    if (problem !== undefined) return problem;
  }
  return undefined;
}
