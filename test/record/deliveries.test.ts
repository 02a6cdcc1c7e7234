/**
 * A delivery as a recording keeps it (steps/lib/record/deliveries.ts): its headers go through the
 * same rules as a call's, so a cookie or a credential a proxy or Bracken's host added on the way
 * is replaced, and only the Authorization is computed again.
 */
import { expect, it } from 'vitest';
import { recordedDelivery } from '../../steps/lib/record/deliveries.ts';
import { placeholderBook } from '../../steps/lib/record/placeholders.ts';
import { createRedactor } from '../../steps/lib/record/redactor.ts';
import { validDeliveryView } from '../helpers/delivery-record.ts';

it("replaces the cookies and credentials among a delivery's headers, by header name, as it does for a call", async () => {
  const redactor = createRedactor(await placeholderBook({ file: undefined }));
  const view = validDeliveryView('d-1', {
    headers: [
      ['content-type', 'application/json'],
      ['Cookie', 'ARRAffinity=affinity-0a1b2c; .AspNetCore.Session=sess-99887766'],
      ['Proxy-Authorization', 'Bearer proxy-token-5566778899'],
      ['X-Api-Key', 'k3y42'],
      ['user-agent', 'Bracken/1.0'],
    ],
  });
  const { meta } = recordedDelivery(redactor, view, { run: 0, index: 1, secrets: ['whsec-0123456789'] });
  expect(Object.fromEntries(meta.headers)).toMatchObject({
    'content-type': 'application/json',
    Cookie: 'ARRAffinity=recorded-cookie-1; .AspNetCore.Session=recorded-cookie-2',
    'Proxy-Authorization': 'Bearer recorded-access-token-1',
    'X-Api-Key': 'recorded-secret-1',
    'user-agent': 'Bracken/1.0',
  });
  expect(meta.replaced.headers).toEqual(['cookie', 'proxy-authorization', 'x-api-key']);
});

it("replaces a known value used as a key of the delivery's JSON, in place", async () => {
  const redactor = createRedactor(await placeholderBook({ file: undefined }));
  redactor.learn('username', 'Ann-Example-User');
  const view = validDeliveryView('d-2', { body: Buffer.from('{"eventname":"Module_Complete", "marks":{"Ann-Example-User":7}}') });
  const { body } = recordedDelivery(redactor, view, { run: 0, index: 1, secrets: ['whsec-0123456789'] });
  expect(body.toString('utf8')).toBe('{"eventname":"Module_Complete", "marks":{"recorded-user-1":7}}');
});
