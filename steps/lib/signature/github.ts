/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex(HMAC-SHA256(secret, raw body))>`.
 *
 * Source: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries ("GitHub
 * uses an HMAC hex digest", "The hash signature always starts with sha256=", and the test values:
 * secret "It's a Secret to Everybody", payload "Hello, World!" give
 * 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17). The legacy `X-Hub-Signature`
 * (HMAC-SHA1, "only included for legacy purposes") is not accepted.
 */
import { headerHmacScheme } from './header-hmac.ts';

export const github = headerHmacScheme({
  name: 'github',
  description: 'X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>',
  header: 'x-hub-signature-256',
  displayHeader: 'X-Hub-Signature-256',
  prefix: 'sha256=',
  encoding: 'hex',
});
