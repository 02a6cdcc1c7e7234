/**
 * Typeform: `Typeform-Signature: sha256=<base64(HMAC-SHA256(secret, raw body))>`.
 *
 * Sources: https://www.typeform.com/developers/webhooks/secure-your-webhooks/ ("create a hash (using
 * secret as a key) of the entire received payload as binary, encode the binary hash in base64 format,
 * add prefix sha256="), and seed 001 (/work/shared/seeds/001_efa961c7c29c1888.txt: the Django view
 * splits the header at "=", refuses any algorithm but sha256, and compares the base64 digest).
 */
import { headerHmacScheme } from './header-hmac.ts';

export const typeform = headerHmacScheme({
  name: 'typeform',
  description: 'Typeform-Signature: sha256=<base64 HMAC-SHA256 of the body>',
  header: 'typeform-signature',
  displayHeader: 'Typeform-Signature',
  prefix: 'sha256=',
  encoding: 'base64',
});
