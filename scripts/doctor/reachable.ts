/**
 * The identity server and the API answer (any HTTP status counts: only the connection is in
 * question), with how long they took. In sandbox mode nothing answering means the sandbox is not
 * running, which is a ⚠: `npm start` starts one of its own.
 */
import { type Check, fail, ok, warn } from './check.ts';

export function reachableCheck(which: 'identity' | 'api'): Check {
  const name = which === 'identity' ? 'identity server' : 'API';
  const variable = which === 'identity' ? 'BRACKEN_IDENTITY_URL' : 'BRACKEN_API_URL';
  return {
    id: which === 'identity' ? 'identity-reachable' : 'api-reachable',
    async run(context) {
      const probe = await context.probe(which);
      if (probe.ok) return ok(`${name} ${probe.url} answers (HTTP ${probe.status} in ${probe.ms} ms)`, { url: probe.url, status: probe.status, ms: probe.ms });
      const summary = `${name} ${probe.url} does not answer: ${probe.error}`;
      const data = { url: probe.url, ms: probe.ms, error: probe.error };
      if (context.config.mode === 'sandbox') {
        // Something took the connection and said nothing: a sandbox that is stuck, or another program on its port.
        const fix = probe.timedOut
          ? `Something at ${probe.url} takes connections but does not answer: a sandbox that is stuck or busy (restart it: Ctrl-C, then npm run sandbox), or another program on SANDBOX_PORT.`
          : 'The sandbox is not running: start it with npm run sandbox (npm start starts one of its own).';
        return warn(summary, fix, data);
      }
      return fail(summary, `Check ${variable} (unset: Bracken's own), your network and any proxy; then npm run doctor again.`, data);
    },
  };
}
