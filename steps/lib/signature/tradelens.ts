/**
 * TradeLens: `X-GTD-Signature: <hex(HMAC-SHA256(sharedSecret, raw body))>`, no prefix. The body is
 * an array of events; only the exact bytes matter ("not only must the sharedSecret used at both ends
 * of the transaction match, but the message body must also match exactly").
 *
 * Source: seed 002 (/work/shared/seeds/002_da10e3b28c119c67.txt, TradeLens "How to create a webhook",
 * the Java sample: `Hex.encodeHexString(hmac.doFinal(event.getBytes(UTF_8)))` compared with the header).
 * The Java sample compares lower-case hex strings; this compares the decoded bytes, so case does not matter.
 */
import { headerHmacScheme } from './header-hmac.ts';

export const tradelens = headerHmacScheme({
  name: 'tradelens',
  description: 'X-GTD-Signature: <hex HMAC-SHA256 of the body (an array of events)>',
  header: 'x-gtd-signature',
  displayHeader: 'X-GTD-Signature',
  prefix: '',
  encoding: 'hex',
});
