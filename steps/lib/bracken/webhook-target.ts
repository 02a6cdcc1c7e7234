/**
 * Where step 2 tells Bracken to send webhooks, and with which secret. The tutorial pastes an
 * ngrok URL and "12345" into the Python file; the workbench finds them in this order instead:
 *
 * target: WEBHOOK_TARGET, then https://$NGROK_DOMAIN/webhooks, then the public URL of a running
 * step 3 (listener.json), then (sandbox only) the local listener.
 * secret: WEBHOOK_SECRET, then the one step 2 used before for the same API and domain, then a new one.
 */
import {
  WEBHOOK_PATH,
  type Config,
  STEP_PRECONDITION,
  StepError,
  belongsToConfigured,
  generateSecret,
  processIsRunning,
  type ListenerState,
  type WebhookState,
} from '../core/index.ts';

export interface ResolvedTarget {
  readonly url: string;
  /** Where the URL came from, for the step's output. */
  readonly source: string;
}

export interface ResolvedSecret {
  readonly secret: string;
  readonly source: string;
}

/**
 * The webhook target for `config`. `listener` is listener.json (or undefined); it only counts when
 * `isRunning(listener.pid)`, because an ngrok URL dies with the listener that opened it.
 * Throws StepError when the real Bracken would need a public URL and there is none.
 */
export function resolveWebhookTarget(
  config: Config,
  listener: ListenerState | undefined,
  isRunning: (pid: number) => boolean = processIsRunning,
): ResolvedTarget {
  if (config.webhook.target !== undefined) return { url: config.webhook.target, source: 'WEBHOOK_TARGET' };
  if (config.ngrok.domain !== undefined) {
    const host = config.ngrok.domain.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
    return { url: `https://${host}${WEBHOOK_PATH}`, source: 'NGROK_DOMAIN' };
  }
  const live = listener !== undefined && isRunning(listener.pid) ? listener : undefined;
  if (live?.publicUrl !== undefined) return { url: live.publicUrl, source: `the tunnel of the running listener (pid ${live.pid})` };
  if (config.mode === 'sandbox') {
    return live !== undefined
      ? { url: live.localUrl, source: `the running listener (pid ${live.pid})` }
      : { url: `http://127.0.0.1:${config.listen.port}${WEBHOOK_PATH}`, source: 'the default local listener address (LISTEN_PORT)' };
  }
  throw new StepError(STEP_PRECONDITION, 'There is no public URL to subscribe: Bracken cannot reach a listener on this machine without one.', {
    hint:
      'Either set WEBHOOK_TARGET=https://<your-public-host>/webhooks in .env, or set NGROK_AUTHTOKEN in .env and run `npm run step:3` ' +
      'in another terminal first (it opens an ngrok tunnel and records its URL), then run this step again.',
  });
}

/** The secret to subscribe with; keeping the previous one means a running listener keeps verifying. */
export function resolveWebhookSecret(config: Config, previous: WebhookState | undefined): ResolvedSecret {
  if (config.webhook.secret !== undefined) return { secret: config.webhook.secret, source: 'WEBHOOK_SECRET' };
  if (previous !== undefined && belongsToConfigured(previous, config) && previous.secret !== '') {
    return { secret: previous.secret, source: 'webhook.json (kept from the last run)' };
  }
  return { secret: generateSecret(), source: 'generated (32 random bytes, base64url)' };
}
