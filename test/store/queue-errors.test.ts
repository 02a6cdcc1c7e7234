/**
 * What a process logs for pg-boss's errors (queueErrors): an outage once, with the store's code and
 * a `Next:` line, until a query succeeds; a dropped connection not at all (the pool says it); any
 * other error at most once per 30 s.
 */
import { describe, expect, it } from 'vitest';
import { queueErrors } from '../../steps/lib/store/postgres/queue-errors.ts';

const URL = 'postgres://app:hunter2-secret@127.0.0.1:6543/webhooks';
const SHOWN = 'postgres://app:****@127.0.0.1:6543/webhooks';
const START_HINT = 'Start Postgres (e.g. `pg_ctlcluster 15 main start`), or fix the host and port in DATABASE_URL.';
const UNTIL = 'Until then no jobs are taken; this process takes them again by itself once Postgres answers.';

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6543'), { code: 'ECONNREFUSED' });
}

function setUp(now: () => number = Date.now) {
  const lines: string[] = [];
  const errors = queueErrors({ url: URL, timeoutMs: 5000, log: (line) => lines.push(line), now });
  return { lines, errors };
}

describe('queueErrors()', () => {
  it('says an outage once however many polls fail, then once that Postgres answers again; a later outage is said again', () => {
    const { lines, errors } = setUp();
    for (let poll = 0; poll < 5; poll++) errors.failed(refused());
    errors.answered();
    errors.answered();
    errors.failed(refused());
    const outage = [
      `queue: Nothing accepts connections at 127.0.0.1:6543 (DATABASE_URL=${SHOWN}): connection refused. [WORKBENCH_STORE_UNREACHABLE]`,
      `Next: ${START_HINT} ${UNTIL}`,
    ];
    expect(lines).toEqual([...outage, 'queue: Postgres answers again; jobs are taken again.', ...outage]);
  });

  it('during an outage, a new code is said once too (Postgres back with another password)', () => {
    const { lines, errors } = setUp();
    errors.failed(refused());
    const authFailed = Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' });
    errors.failed(authFailed);
    errors.failed(authFailed);
    expect(lines.slice(2)).toEqual([
      `queue: Postgres at 127.0.0.1:6543 refused the login in DATABASE_URL=${SHOWN}: password authentication failed for user "app". [WORKBENCH_STORE_AUTH_FAILED]`,
      `Next: Check the user and password in DATABASE_URL (e.g. \`ALTER ROLE <user> PASSWORD ...\` in psql), and that pg_hba.conf allows this host. ${UNTIL}`,
    ]);
  });

  it('says nothing for a dropped connection (terminated, reset, Postgres shutting down or starting up)', () => {
    const { lines, errors } = setUp();
    errors.failed(new Error('Connection terminated unexpectedly'));
    errors.failed(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    errors.failed({ message: 'terminating connection due to administrator command', code: '57P01', queue: 'webhook-delivery-dead' });
    errors.failed(Object.assign(new Error('the database system is starting up'), { code: '57P03' }));
    errors.answered();
    expect(lines).toEqual([]);
    // A Postgres that accepts connections and never answers is an outage.
    errors.failed(new Error('Connection terminated due to connection timeout'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^queue: .* \[WORKBENCH_STORE_UNREACHABLE\]$/);
  });

  it('says another error with its code and Next:, again only after 30 s', () => {
    let clock = 1_000_000;
    const { lines, errors } = setUp(() => clock);
    const missing = () => Object.assign(new Error('relation "pgboss.job" does not exist'), { code: '42P01' });
    errors.failed(missing());
    clock += 29_999;
    errors.failed(missing());
    clock += 1;
    errors.failed(missing());
    const said = [
      `queue: The workbench's tables are missing from the database in DATABASE_URL=${SHOWN}: relation "pgboss.job" does not exist (was the database dropped and created again?). [WORKBENCH_STORE_FAILED]`,
      'Next: Run `npm run db:migrate` to create them again: running listeners and workers carry on once they exist.',
    ];
    expect(lines).toEqual([...said, ...said]);
    expect(lines.join('\n')).not.toContain('hunter2');
  });
});
