/**
 * A forward target that is the listener's own public URL (its ngrok tunnel) is no app: each
 * delivery forwarded there comes back to the listener, which records it as a duplicate of itself
 * and forwards nothing, so the user's app never gets one while every forward "succeeds". The
 * tunnel's URL is known only once it is open (a free ngrok account's is fixed, NGROK_DOMAIN's too),
 * so step 3 checks it then; the loopback form is refused earlier, with the config (core's forwardTarget).
 *
 * @example
 * refuseOwnPublicUrl('LISTEN_FORWARD_TO', 'https://demo.ngrok.app/webhooks', 'https://demo.ngrok.app'); // throws CONFIG_INVALID
 */
import { CONFIG_INVALID, ConfigError, redactUrlSecrets } from '../core/index.ts';

/** Throws a ConfigError naming `name` when `forwardTo` goes to the host of `publicUrl` (the open tunnel). */
export function refuseOwnPublicUrl(name: string, forwardTo: string, publicUrl: string): void {
  if (new URL(forwardTo).host !== new URL(publicUrl).host) return;
  throw new ConfigError(
    CONFIG_INVALID,
    `${name}=${JSON.stringify(redactUrlSecrets(forwardTo))} is this listener’s own public URL (the ngrok tunnel ${publicUrl}): ` +
      'every delivery forwarded there would come back to the listener as a duplicate, and never reach your app.',
    { hint: `Point ${name} at your own app, as this machine reaches it (e.g. http://127.0.0.1:8000/webhooks).`, variable: name },
  );
}
