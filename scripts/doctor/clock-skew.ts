/**
 * This machine's clock against the identity server's `Date` header. Signature schemes with a
 * timestamp (Standard Webhooks, GitHub-style replay windows) refuse a delivery more than 5 minutes
 * off, and tokens are timed against this clock. The header has whole seconds and the answer took
 * a while, so the server's time is compared with the middle of the request and a second of slack.
 */
import { type Check, fail, ok, warn } from './check.ts';

/** Beyond this the timestamped schemes refuse deliveries: ✘. */
const FAIL_SECONDS = 300;
/** Beyond this it is worth fixing before it grows: ⚠. */
const WARN_SECONDS = 30;

export const clockSkewCheck: Check = {
  id: 'clock-skew',
  async run(context) {
    const probe = await context.probe('identity');
    const server = probe.ok && probe.date !== null ? Date.parse(probe.date) : Number.NaN;
    if (!probe.ok || Number.isNaN(server)) {
      if (context.config.mode === 'sandbox') return ok('clock: the sandbox runs on this machine and shares its clock');
      return warn(
        `clock not compared: the identity server ${probe.ok ? 'sent no Date header' : 'does not answer'}`,
        'Check the identity server line above; keep this machine synchronised (NTP).',
      );
    }
    const local = (probe.sentAt + probe.receivedAt) / 2;
    const skewSeconds = Math.round((local - server) / 1000);
    const off = Math.abs(skewSeconds) <= 1 ? 0 : skewSeconds;
    const direction = off > 0 ? 'ahead of' : 'behind';
    const summary = off === 0 ? `clock agrees with the identity server's (within a second)` : `clock is ${Math.abs(off)} s ${direction} the identity server's`;
    const data = { skewSeconds: off, serverDate: probe.date };
    const fix = "Synchronise this machine's clock (timedatectl set-ntp true, or your OS's time settings).";
    if (Math.abs(off) > FAIL_SECONDS) return fail(`${summary}: signatures with a timestamp are refused beyond ${FAIL_SECONDS} s`, fix, data);
    if (Math.abs(off) > WARN_SECONDS) return warn(summary, fix, data);
    return ok(summary, data);
  },
};
