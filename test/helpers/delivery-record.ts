/**
 * A DeliveryRecord as the listener journals a valid Bracken delivery (raw header pairs, the body's
 * bytes), for tests that write journals or feeds by hand. Override any field.
 */
import type { DeliveryRecord, DeliveryView } from '../../steps/lib/delivery/record.ts';

export function validDeliveryRecord(
  fields: { id: string; receivedAt: string; body: Buffer; headers?: [string, string][] },
  overrides: Partial<DeliveryRecord> = {},
): DeliveryRecord {
  return {
    id: fields.id,
    receivedAt: fields.receivedAt,
    method: 'POST',
    url: '/webhooks',
    remoteAddress: '127.0.0.1',
    headers: fields.headers ?? [['content-type', 'application/json']],
    body: fields.body,
    bodyBytes: fields.body.length,
    status: 200,
    verdict: 'valid',
    code: 'ok',
    reason: 'Signature verified with the current secret.',
    scheme: 'bracken',
    secretIndex: 0,
    event: 'User_Create',
    ackMs: 1,
    dedupeKey: undefined,
    ...overrides,
  };
}

/** The feed's view of `validDeliveryRecord`: handler `pending` unless overridden. */
export function validDeliveryView(id: string, overrides: Partial<DeliveryView> = {}): DeliveryView {
  const record = validDeliveryRecord({ id, receivedAt: '2026-01-01T00:00:00.000Z', body: Buffer.from(`{"id":"${id}"}`) });
  return { ...record, handler: 'pending', handlerError: undefined, ...overrides };
}
