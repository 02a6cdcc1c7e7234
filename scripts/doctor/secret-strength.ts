/**
 * The webhook secret's strength: the one set (WEBHOOK_SECRET), the one step 2 generated
 * (webhook.json), and the older ones still accepted (WEBHOOK_PREVIOUS_SECRETS). Anyone who knows a
 * weak one can sign deliveries the listener trusts: ✘ live, ⚠ against the sandbox on this machine.
 */
import { openState, StateError, weakSecretReason } from '../../steps/lib/core/index.ts';
import { type Check, fail, ok, warn } from './check.ts';

export const secretStrengthCheck: Check = {
  id: 'secret-strength',
  async run({ config }) {
    const stored = await openState(config.stateDir)
      .read('webhook')
      .catch((error: unknown) => {
        if (error instanceof StateError) return undefined; // the subscription line reports the file
        throw error;
      });
    const secrets: { source: string; value: string }[] = [
      ...(config.webhook.secret === undefined ? [] : [{ source: 'WEBHOOK_SECRET', value: config.webhook.secret }]),
      ...(stored === undefined || stored.secret === config.webhook.secret ? [] : [{ source: 'webhook.json (step 2)', value: stored.secret }]),
      ...config.webhook.previousSecrets.map((value) => ({ source: 'WEBHOOK_PREVIOUS_SECRETS', value })),
    ];
    if (secrets.length === 0) return ok('webhook secret: none yet; step 2 generates a strong one (32 random bytes)');
    const weak = secrets.flatMap(({ source, value }) => {
      const reason = weakSecretReason(value);
      return reason === undefined ? [] : [`the one from ${source}: ${reason}`];
    });
    const sources = secrets.map(({ source }) => source);
    if (weak.length === 0) return ok(`webhook secret strong (${sources.join(', ')})`, { sources });
    const summary = `weak webhook secret: ${weak.join('; ')}`;
    const fix = 'Leave WEBHOOK_SECRET empty and run npm run step:2 (it generates a strong one), or set a long random one.';
    return config.mode === 'bracken' ? fail(summary, fix, { sources }) : warn(`${summary} (harmless against the sandbox, not live)`, fix, { sources });
  },
};
