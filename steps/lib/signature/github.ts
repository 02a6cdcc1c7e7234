/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex(HMAC-SHA256(secret, raw body))>`.
 *
 * Source: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries ("GitHub
 * uses an HMAC hex digest", "The hash signature always starts with sha256=", and the test values:
 * secret "It's a Secret to Everybody", payload "Hello, World!" give
 * 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17). The legacy `X-Hub-Signature`
 * (HMAC-SHA1, "only included for legacy purposes") is not accepted; a request carrying only that
 * one is still missing_signature, but its message says so instead of calling the request unsigned.
 */
import { headerHmacScheme } from './header-hmac.ts';
import { headerText } from './headers.ts';
import { fail } from './result.ts';
import type { HeaderScheme } from './types.ts';

const sha256 = headerHmacScheme({
  name: 'github',
  description: 'X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>',
  header: 'x-hub-signature-256',
  displayHeader: 'X-Hub-Signature-256',
  prefix: 'sha256=',
  encoding: 'hex',
});

export const github: HeaderScheme = {
  ...sha256,
  verify(input) {
    const result = sha256.verify(input);
    if (result.ok || result.reason !== 'missing_signature' || headerText(input.headers, 'x-hub-signature') === undefined) return result;
    return fail(
      'missing_signature',
      'No X-Hub-Signature-256 header, only the legacy X-Hub-Signature (HMAC-SHA1), which this receiver does not accept: it checks SHA-256 signatures only.',
    );
  },
};
