/**
 * Live, Bracken must reach the listener: through ngrok (NGROK_AUTHTOKEN) or an endpoint of your
 * own (WEBHOOK_TARGET). Against the sandbox neither is needed: it delivers to 127.0.0.1.
 */
import { type Check, fail, ok } from './check.ts';

export const ngrokTokenCheck: Check = {
  id: 'ngrok-token',
  async run({ config }) {
    if (config.webhook.target !== undefined) return ok(`public URL: WEBHOOK_TARGET ${config.webhook.target} (no tunnel needed)`);
    if (config.ngrok.authtoken !== undefined)
      return ok(`ngrok: NGROK_AUTHTOKEN set${config.ngrok.domain === undefined ? '' : `, domain ${config.ngrok.domain}`}`);
    if (config.mode === 'sandbox') return ok('ngrok: not needed, the sandbox delivers to 127.0.0.1');
    return fail(
      'live mode without a public URL: NGROK_AUTHTOKEN and WEBHOOK_TARGET are both unset, so Bracken cannot reach the listener',
      'Set NGROK_AUTHTOKEN (https://dashboard.ngrok.com/get-started/your-authtoken) or WEBHOOK_TARGET (README "Going live").',
    );
  },
};
