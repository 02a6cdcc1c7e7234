/**
 * Guuru: `X-Guuru-Hmac-Sha256: <hex(HMAC-SHA256(secret, raw body))>`, no prefix.
 *
 * Source: seed 003 (/work/shared/seeds/003_6aafe81b2bd40b8e.txt, Guuru "Webhooks Examples"): the samples
 * compute `createHmac('SHA256', secret).update(body).digest('hex')` and compare it with the header;
 * the page publishes three payload/signature pairs for the secret `secr3t`, which are this project's
 * first test vectors (test/fixtures/vectors/guuru/).
 */
import { headerHmacScheme } from './header-hmac.ts';

export const guuru = headerHmacScheme({
  name: 'guuru',
  description: 'X-Guuru-Hmac-Sha256: <hex HMAC-SHA256 of the body>',
  header: 'x-guuru-hmac-sha256',
  displayHeader: 'X-Guuru-Hmac-Sha256',
  prefix: '',
  encoding: 'hex',
});
