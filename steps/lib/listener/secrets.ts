/**
 * Which secrets the listener verifies with, re-read for every request so that a secret step 2
 * writes while step 3 is running is picked up without a restart. WEBHOOK_SECRET wins; otherwise
 * the `secret` step 2 stored in webhook.json. WEBHOOK_PREVIOUS_SECRETS are accepted too (rotation).
 * webhook.json is re-parsed only when its inode, modification time or size changes.
 *
 * @example
 * const secrets = webhookSecrets({ config, state: openState(config.stateDir) });
 * await secrets(); // ['mJ0d…'] once step 2 has run; [] before
 */
import { stat } from 'node:fs/promises';
import { type Config, STATE_FILES, type State } from '../core/index.ts';

export type SecretSource = () => Promise<readonly string[]>;

export function webhookSecrets(options: { config: Config; state: State }): SecretSource {
  const { config, state } = options;
  const previous = config.webhook.previousSecrets;
  if (config.webhook.secret !== undefined) {
    const fixed = unique([config.webhook.secret, ...previous]);
    return () => Promise.resolve(fixed);
  }
  const file = state.path(STATE_FILES.webhook);
  let cache: { stamp: string; secrets: readonly string[] } | undefined;
  return async () => {
    const stamp = await stat(file).then(
      // The inode too: step 2 writes by rename, and a same-size secret within the clock's granularity
      // would otherwise look unchanged.
      (s) => `${s.ino}:${s.mtimeMs}:${s.size}`,
      () => 'missing',
    );
    if (cache?.stamp === stamp) return cache.secrets;
    // StateError (corrupt file) propagates: the listener answers 500 secret_unavailable and says why.
    const webhook = stamp === 'missing' ? undefined : await state.read('webhook');
    const current = typeof webhook?.secret === 'string' && webhook.secret !== '' ? [webhook.secret] : [];
    cache = { stamp, secrets: unique([...current, ...previous]) };
    return cache.secrets;
  };
}

function unique(values: readonly string[]): readonly string[] {
  return Object.freeze([...new Set(values)]);
}
