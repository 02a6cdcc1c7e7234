/**
 * A token can be had: the client credentials grant the steps make (step 1), sent as they send it,
 * with what came back (scope, lifetime) and how long it took. Nothing is cached or printed: the
 * doctor leaves token.json as it is and never shows the token.
 */
import { redact } from '../../steps/lib/core/index.ts';
import { tokenEndpoint } from '../../steps/lib/bracken/index.ts';
import { type Check, fail, ok, warn } from './check.ts';
import { networkReason } from './probe.ts';

export const tokenCheck: Check = {
  id: 'token',
  async run({ config, timeoutMs, now }) {
    const live = config.mode === 'bracken';
    const [idVariable, secretVariable] = live ? ['BRACKEN_CLIENT_ID', 'BRACKEN_CLIENT_SECRET'] : ['SANDBOX_CLIENT_ID', 'SANDBOX_CLIENT_SECRET'];
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret });
    if (config.scope !== undefined) form.set('scope', config.scope);
    const started = now();
    let status: number;
    let body: Record<string, unknown>;
    try {
      const answer = await fetch(tokenEndpoint(config), {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = answer.status;
      const parsed: unknown = await answer.json().catch(() => ({}));
      body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch (error) {
      const summary = `no token: ${tokenEndpoint(config)} does not answer (${networkReason(error, timeoutMs)})`;
      // As the identity server's line says it: nothing there, or something there that does not answer.
      return live ? fail(summary, 'See the identity server line above.') : warn(summary, 'See the identity server line above, then check again.');
    }
    const ms = now() - started;
    if (status === 200 && typeof body.access_token === 'string') {
      const scope = typeof body.scope === 'string' ? body.scope : undefined;
      const lifetime = typeof body.expires_in === 'number' ? `, valid ${body.expires_in} s` : '';
      const summary = `token obtained for client ${config.clientId} in ${ms} ms (scope ${scope ?? '(none given)'}${lifetime})`;
      const data = { ms, scope: scope ?? null, expiresIn: body.expires_in ?? null };
      if (config.scope !== undefined && !(scope ?? '').split(' ').includes(config.scope)) {
        return warn(summary, `BRACKEN_SCOPE asks for ${config.scope}, which the token does not carry: check the scope your client is allowed.`, data);
      }
      return ok(summary, data);
    }
    const error = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
    const data = { ms, status, error };
    if (error === 'invalid_client') {
      return fail(
        `no token: the identity server refused client ${config.clientId} with its secret ${redact(config.clientSecret)} (invalid_client)`,
        live
          ? `Check ${idVariable} and ${secretVariable}: copy them again from Bracken's admin portal.`
          : `Check ${idVariable} and ${secretVariable}: they must be the running sandbox's (its ready line shows them).`,
        data,
      );
    }
    if (error === 'invalid_scope')
      return fail(`no token: the identity server refused the scope ${config.scope ?? ''} (invalid_scope)`, 'Fix BRACKEN_SCOPE, or leave it empty.', data);
    return fail(`no token: the identity server answered HTTP ${status} (${error})`, 'Run npm run step:1 for the full answer.', data);
  },
};
