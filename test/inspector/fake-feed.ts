/**
 * Test helpers for the inspector: an in-memory DeliveryFeed (what the listener provides) and a
 * builder for delivery views signed the way Bracken signs.
 */
import { bracken } from '../../steps/lib/signature/bracken.ts';
import type { DeliveryFeed, DeliveryView } from '../../steps/lib/delivery/record.ts';

export const SECRET = 's3cret';

export interface FakeFeed extends DeliveryFeed {
  /** Adds `view`, or replaces the one with the same id, and tells subscribers. */
  publish(view: DeliveryView): void;
  readonly subscribers: number;
}

export function fakeFeed(initial: readonly DeliveryView[] = []): FakeFeed {
  const views: DeliveryView[] = [...initial];
  const listeners = new Set<(view: DeliveryView) => void>();
  return {
    list: () => [...views].reverse(),
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    publish(view) {
      const at = views.findIndex((v) => v.id === view.id);
      if (at >= 0) views[at] = view;
      else views.push(view);
      for (const listener of listeners) listener(view);
    },
    get subscribers() {
      return listeners.size;
    },
  };
}

let counter = 0;

/** A valid, signed `user_create` delivery; `overrides` changes any field. */
export function deliveryView(overrides: Partial<Omit<DeliveryView, 'body'>> & { body?: string | Buffer } = {}): DeliveryView {
  const { body: bodyOverride, ...rest } = overrides;
  counter += 1;
  const body = Buffer.from(bodyOverride ?? `{"eventname":"user_create","domainkey":15435,"user":{"userkey":${counter},"username":"Test-User-${counter}"}}`);
  const signed = bracken.sign({ body, secret: SECRET });
  return {
    id: `${(1_700_000_000_000 + counter).toString(36)}-${counter.toString().padStart(6, '0')}`,
    receivedAt: new Date(1_700_000_000_000 + counter * 1000).toISOString(),
    method: 'POST',
    url: '/webhooks',
    remoteAddress: '127.0.0.1',
    headers: [
      ['Host', '127.0.0.1:5000'],
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Authorization', signed.authorization ?? ''],
      ['Content-Length', String(body.length)],
      ['Connection', 'keep-alive'],
    ],
    body,
    bodyBytes: body.length,
    status: 200,
    verdict: 'valid',
    code: 'ok',
    reason: 'The signature matches the body under the current secret.',
    scheme: 'bracken',
    secretIndex: 0,
    event: 'user_create',
    ackMs: 3,
    dedupeKey: `sha256:${counter}`,
    handler: 'done',
    handlerError: undefined,
    ...rest,
  };
}
