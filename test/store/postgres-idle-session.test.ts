/**
 * idle_session_timeout set on the database (or role): Postgres closes any session idle that long,
 * including the one that LISTENs for live changes, which is idle by design. Before: every
 * idle_session_timeout (+1 s) a process logged `postgres: live updates paused (terminating
 * connection due to idle-session timeout) …` then `postgres: live updates resumed.`, for ever,
 * missing changes in between; and its idle pooled connections were reported as an outage
 * ([WORKBENCH_STORE_UNREACHABLE], "If it stopped, start it"); and a start slower than the timeout
 * failed ("Client has encountered a connection error and is not queryable") with an unhandled
 * 'error' event, its set-up lock's connection closed while it idled. After: connections that are
 * idle by design (the listening one, the set-up lock's) are kept from idling that long, and a
 * pooled connection closed for idling is replaced in silence.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryView } from '../../steps/lib/delivery/index.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { burst, startPgListener, testDatabase, withClient } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

describe('idle_session_timeout on the database', () => {
  it('live updates stay connected and quiet, idle pooled connections are replaced without a word, and changes still arrive', async () => {
    const url = await testDatabase('idle_session');
    const database = new URL(url).pathname.slice(1);
    await withClient(url, (client) => client.query(`ALTER DATABASE ${database} SET idle_session_timeout = '500ms'`));
    const { listener, store, logs } = await startPgListener(url);
    const seen: DeliveryView[] = [];
    const unsubscribe = store.subscribe((view) => seen.push(view));
    // Six timeouts' worth of idling: before, a pause and a resume each time.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [sent] = await burst([listener.url], [signed(userCreate(1))], { concurrency: 1 });
    expect(sent?.status).toBe(200);
    await until(() => seen.some((view) => view.id === sent?.body.id));
    unsubscribe();
    expect(logs.filter((line) => line.startsWith('postgres:') || line.startsWith('Next:'))).toEqual([]);
  });
});
