/**
 * Sandbox or live, and why: BRACKEN_CLIENT_ID decides (config.ts). A live setting without the
 * client id (a secret or domainkey set, the id forgotten) silently means the sandbox: said here.
 */
import { type Check, ok, warn } from './check.ts';

const LIVE_ONLY = ['BRACKEN_CLIENT_SECRET', 'BRACKEN_DOMAINKEY'] as const;

export const modeCheck: Check = {
  id: 'mode',
  async run({ config, env }) {
    if (config.mode === 'bracken') {
      return ok(`live mode: BRACKEN_CLIENT_ID is set, so the steps talk to Bracken at ${config.identityUrl} and ${config.apiUrl}`, { mode: config.mode });
    }
    const stray = LIVE_ONLY.filter((name) => (env[name] ?? '').trim() !== '');
    const summary = `sandbox mode: BRACKEN_CLIENT_ID is not set, so the steps talk to the local sandbox at ${config.apiUrl}`;
    return stray.length === 0
      ? ok(summary, { mode: config.mode })
      : warn(
          `${summary}, though ${stray.join(' and ')} ${stray.length === 1 ? 'is' : 'are'} set`,
          'To go live, set BRACKEN_CLIENT_ID too (README "Going live").',
          {
            mode: config.mode,
          },
        );
  },
};
