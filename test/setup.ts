/**
 * Runs before every test file: no network beyond loopback. nock blocks `fetch` and `node:http`;
 * undici's own `request`/`Pool` are not seen by nock, so the code only ever points them at loopback
 * (the sandbox's deliveries and the benchmarks). It also undoes what helpers opened outside a test.
 */
import nock from 'nock';
import { afterAll, afterEach } from 'vitest';
import { runFileCleanups } from './helpers/cleanup.ts';

nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)(:\d+)?$/.test(host));

afterEach(() => {
  // Every interceptor a test declares must be used; a leftover one is a test bug.
  const pending = nock.pendingMocks();
  nock.cleanAll();
  if (pending.length > 0) throw new Error(`Unused nock interceptors: ${pending.join(', ')}`);
});

// Registered before the file's own hooks, so it runs after them: the file closes its servers first.
afterAll(runFileCleanups);
