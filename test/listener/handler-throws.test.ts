/**
 * A careless handler author throws anything: a string, undefined, an object with no prototype, an
 * Error whose message getter throws, an Error with a 100,000-character message. Each run is
 * recorded `failed` with a short message that says what was thrown, in the journal and the feed.
 */
import { describe, expect, it } from 'vitest';
import { FAILURE_MESSAGE_MAX_CHARS, runHandler, type WebhookDelivery } from '../../steps/lib/delivery/index.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { journalLines, send, signed, startTestListener, userCreate } from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** An Error whose `message` cannot be read. */
function unreadableError(): Error {
  const error = new Error('hidden');
  Object.defineProperty(error, 'message', {
    get() {
      throw new Error('the getter throws');
    },
  });
  return error;
}

const THROWN: readonly (readonly [string, () => unknown, string])[] = [
  ['a string', () => 'database is down', 'database is down'],
  ['undefined', () => undefined, 'the handler threw undefined, not an Error'],
  ['a Symbol', () => Symbol('nope'), 'the handler threw Symbol(nope), not an Error'],
  ['an object with no prototype', () => Object.create(null), 'the handler threw an object that is not an Error (no message to show)'],
  [
    'an object whose toString throws',
    () => ({
      toString() {
        throw new Error('no');
      },
    }),
    'the handler threw an object that is not an Error (no message to show)',
  ],
  ['a plain object', () => ({ status: 503 }), 'the handler threw {"status":503}, not an Error'],
  ['an Error with an unreadable message', unreadableError, 'Error with no readable message'],
  ['an Error with no message', () => new TypeError(''), 'TypeError with no message'],
  [
    'a Proxy whose every trap throws',
    () =>
      new Proxy(
        {},
        {
          get() {
            throw new Error('get');
          },
          getPrototypeOf() {
            throw new Error('getPrototypeOf');
          },
        },
      ),
    'the handler threw an object that is not an Error (no message to show)',
  ],
];

describe('a handler that throws something odd', () => {
  it.each(THROWN)('throwing %s: runHandler resolves failed with a message, never rejects', async (_, thrown, message) => {
    const delivery = { id: 'd1', event: undefined, payload: {}, body: Buffer.from('{}'), receivedAt: '', recovered: false } as unknown as WebhookDelivery;
    const handler = () => {
      throw thrown();
    };
    await expect(runHandler(handler, delivery, { timeoutMs: 5000 })).resolves.toEqual({ ok: false, error: message });
    await expect(runHandler(handler, delivery, {})).resolves.toEqual({ ok: false, error: message });
  });

  it('each run is journaled and shown failed with what was thrown, and logged once', async () => {
    const dir = await tempDir('handler-throws');
    const throwers = THROWN.map(([, thrown]) => thrown);
    const t = await startTestListener({
      dir,
      handler: (d) => {
        throw (throwers[(d.payload as { userkey: number }).userkey - 1000] as () => unknown)();
      },
    });
    onCleanup(() => t.close());
    const ids: string[] = [];
    for (let n = 0; n < THROWN.length; n += 1) {
      const answer = await send(t.listener.url, signed(userCreate(n)));
      expect(answer.status).toBe(200);
      ids.push((answer.json as { id: string }).id);
    }
    await t.listener.idle();
    const outcomes = (await journalLines(dir)).filter((line) => line.type === 'handler');
    expect(outcomes.map((line) => [line.id, line.handler, line.error])).toEqual(ids.map((id, n) => [id, 'failed', THROWN[n]?.[2]]));
    for (const [n, id] of ids.entries()) {
      expect(t.listener.feed.list().find((view) => view.id === id)).toMatchObject({ handler: 'failed', handlerError: THROWN[n]?.[2] });
    }
  });

  it('a 100,000-character message is cut to FAILURE_MESSAGE_MAX_CHARS in the journal, the feed and the log', async () => {
    const dir = await tempDir('handler-throws');
    const t = await startTestListener({
      dir,
      handler: () => {
        throw new Error('x'.repeat(100_000));
      },
    });
    onCleanup(() => t.close());
    await send(t.listener.url, signed(userCreate(1)));
    await t.listener.idle();
    const expected = `${'x'.repeat(FAILURE_MESSAGE_MAX_CHARS)}… (${100_000 - FAILURE_MESSAGE_MAX_CHARS} more characters)`;
    expect((await journalLines(dir)).at(-1)).toMatchObject({ type: 'handler', handler: 'failed', error: expected });
    expect(t.listener.feed.list()[0]).toMatchObject({ handler: 'failed', handlerError: expected });
    const logged = t.logs.filter((line) => line.startsWith('handler failed for'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(expected);
  });
});
