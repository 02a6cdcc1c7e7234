import { describe as group, expect, it } from 'vitest';
import { isJson, MAX_PRETTY_DEPTH, prettyJson } from '../../steps/lib/inspector/pretty-json.ts';
import { replayHeaders, replayTarget } from '../../steps/lib/inspector/replay.ts';
import { BODY_PREVIEW_BYTES, bodyView, describe, HEX_PREVIEW_BYTES, redactHeader, summarize } from '../../steps/lib/inspector/view.ts';
import { EXAMPLE_EVENTS } from '../helpers/events.ts';
import { deliveryView } from './fake-feed.ts';

group('prettyJson(text)', () => {
  it('puts one value per line and keeps empty containers on one line', () => {
    expect(prettyJson('{"a":[1,2],"b":{},"c":[]}')).toEqual({ ok: true, text: '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {},\n  "c": []\n}' });
  });

  it('lays out a large ordinary body exactly as JSON.stringify(value, null, 2) would', () => {
    const users = Array.from({ length: 5000 }, (_, i) => ({ userkey: i, username: `user-${i}`, roles: i % 2 === 0 ? [] : ['a', 'b'], meta: {} }));
    const text = JSON.stringify({ eventname: 'user_create', users });
    expect(text.length).toBeGreaterThan(300_000);
    expect(prettyJson(text)).toEqual({ ok: true, text: JSON.stringify(JSON.parse(text), null, 2) });
  });

  it(`pretty-prints ${MAX_PRETTY_DEPTH} levels of nesting, and refuses one more`, () => {
    const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    const deepest = prettyJson(nested(MAX_PRETTY_DEPTH));
    expect(deepest.ok && deepest.text.split('\n').length).toBe(2 * MAX_PRETTY_DEPTH + 1);
    expect(prettyJson(nested(MAX_PRETTY_DEPTH + 1))).toEqual({ ok: false, reason: `nested more than ${MAX_PRETTY_DEPTH} levels deep` });
  });

  it('refuses a layout many times larger than the text (wide arrays deep down)', () => {
    const wide = '['.repeat(MAX_PRETTY_DEPTH) + Array(2000).fill('1').join(',') + ']'.repeat(MAX_PRETTY_DEPTH);
    const result = prettyJson(wide);
    expect(result.ok).toBe(false);
    expect(result.ok || result.reason).toMatch(/^re-indented it would be over [\d,]+ characters$/);
  });

  // A hostile body: one string of 16 MiB (the listener takes up to 64). Copied a character at a time
  // with no budget check inside strings, it took 6 s and 600 MB (64 MiB: 2.5 GB) before the check
  // after it refused the layout; now a string is one slice and the refusal comes as soon as the
  // budget is passed (milliseconds, measured by hand; the suite asserts no durations).
  it('refuses a body made of one huge string, with the reason', () => {
    const result = prettyJson(`["${'a'.repeat(16 * 1024 * 1024)}"]`);
    expect(result).toEqual({ ok: false, reason: 're-indented it would be over 4,194,304 characters' });
  });

  it('keeps strings with escaped quotes and backslashes whole, however long, and lays out what follows them', () => {
    const text = `{"a":"x\\\\","b":"\\"${'y'.repeat(70_000)}\\"","c":[1]}`;
    expect(prettyJson(text)).toEqual({ ok: true, text: JSON.stringify(JSON.parse(text), null, 2) });
  });

  it('keeps every token as sent: escapes, 1.0, big integers, duplicate keys, spaces inside strings', () => {
    const text = '{ "name" : "Ren\\u00e9e, \\"the\\" {boss}", "score": 1.0, "big": 12345678901234567890, "dup": 1, "dup": 2 }\n';
    expect(prettyJson(text)).toEqual({
      ok: true,
      text: '{\n  "name": "Ren\\u00e9e, \\"the\\" {boss}",\n  "score": 1.0,\n  "big": 12345678901234567890,\n  "dup": 1,\n  "dup": 2\n}',
    });
  });

  it('isJson tells JSON from other text', () => {
    expect([isJson('{"a":1}'), isJson('"x"'), isJson('a=1&b=2'), isJson('')]).toEqual([true, true, false, false]);
  });
});

group('bodyView(bytes)', () => {
  it('shows an empty body as empty', () => {
    expect(bodyView(new Uint8Array())).toEqual({ kind: 'empty' });
  });

  it('shows UTF-8 that is not JSON as the text itself', () => {
    expect(bodyView(Buffer.from('name=Renée&x=<b>'))).toEqual({ kind: 'text', text: 'name=Renée&x=<b>' });
  });

  it('shows bytes that are not UTF-8 as hex and base64, never with replacement characters', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
    expect(bodyView(bytes)).toEqual({ kind: 'binary', hex: '00000000  ff fe 00 41 c3', base64: '//4AQcM=', hexTruncated: false });
  });

  // Anyone can send such a body through the tunnel and the listener journals it: laid out with
  // indentation repeated per level it grew with the square of the depth (450 MB for these 30 KB).
  it('shows a deeply nested JSON body as sent, once, with a note, and a response no larger than the body', () => {
    const deep = '['.repeat(15_000) + ']'.repeat(15_000);
    const view = bodyView(Buffer.from(deep));
    expect(view.kind).toBe('json');
    expect(view.kind === 'json' && view.text.length).toBe(deep.length);
    expect(view.kind === 'json' && view.text === deep).toBe(true);
    expect(view.kind === 'json' && view.note).toBe(`not pretty-printed: nested more than ${MAX_PRETTY_DEPTH} levels deep`);
    // Sent once: as `text` and again as `raw`, the detail carried the body twice.
    expect(view).not.toHaveProperty('raw');
    expect(JSON.stringify(describe(deliveryView({ body: deep }))).length).toBeLessThan(deep.length + 2048);
  });

  it('shows a 60 KB deeply nested body as sent instead of throwing', () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    const view = bodyView(Buffer.from(deep));
    expect(view.kind === 'json' && view.text === deep).toBe(true);
    expect(view.kind === 'json' && view.note).toMatch(/^not pretty-printed: /);
  });

  it('shows a body whose layout would be far larger than itself as sent, with a note', () => {
    const wide = '['.repeat(MAX_PRETTY_DEPTH) + Array(2000).fill('1').join(',') + ']'.repeat(MAX_PRETTY_DEPTH);
    const view = bodyView(Buffer.from(wide));
    expect(view.kind === 'json' && view.text === wide).toBe(true);
    expect(view.kind === 'json' && view.note).toMatch(/^not pretty-printed: re-indented it would be over /);
  });

  // With LISTEN_BODY_LIMIT raised (up to 64 MiB), parsing a body only to tell JSON from text cost
  // 12 s and 650 MB for 21 MB of `[{},{},…]`, in the listener's own process (step 3), and the
  // layout was refused anyway. Past the preview, the body's start is shown as text, unparsed.
  it('shows only the first BODY_PREVIEW_BYTES of a longer body, as text, without parsing it', () => {
    const many = `[${'{},'.repeat(BODY_PREVIEW_BYTES / 3)}{}]`;
    expect(bodyView(Buffer.from(many))).toStrictEqual({ kind: 'text', text: many.slice(0, BODY_PREVIEW_BYTES), shownBytes: BODY_PREVIEW_BYTES });
    const fits = `[${'1,'.repeat(1000)}1]`;
    expect(bodyView(Buffer.from(fits)).kind).toBe('json');
  });

  // From Postgres the detail reads only the body's first BODY_PREVIEW_BYTES (storedBytes says how
  // many there are): those may end inside a character, and that alone must not make the body binary.
  it('bodyView(start, storedBytes) shows text cut inside a character as text up to it; a byte that is not UTF-8 still makes it binary', () => {
    const start = Buffer.concat([Buffer.from('ab'), Buffer.from('€'.repeat(BODY_PREVIEW_BYTES / 3))]).subarray(0, BODY_PREVIEW_BYTES);
    const text = `ab${'€'.repeat(Math.floor((BODY_PREVIEW_BYTES - 2) / 3))}`;
    expect(bodyView(start, BODY_PREVIEW_BYTES * 4)).toStrictEqual({ kind: 'text', text, shownBytes: Buffer.byteLength(text) });
    expect(Buffer.byteLength(text)).toBe(BODY_PREVIEW_BYTES - 2);
    // A lone continuation byte at the very end is not the start of a character: not UTF-8.
    const stray = Buffer.concat([Buffer.alloc(BODY_PREVIEW_BYTES - 1, 'a'), Buffer.from([0x80])]);
    expect(bodyView(stray, BODY_PREVIEW_BYTES * 4)).toMatchObject({ kind: 'binary', shownBytes: BODY_PREVIEW_BYTES });
    // Nor is a cut that starts a sequence no character has (0xF0 0x80: an overlong form).
    const overlong = Buffer.concat([Buffer.alloc(BODY_PREVIEW_BYTES - 2, 'a'), Buffer.from([0xf0, 0x80])]);
    expect(bodyView(overlong, BODY_PREVIEW_BYTES * 4).kind).toBe('binary');
    // A whole body (no storedBytes) that ends inside a character is not UTF-8.
    expect(bodyView(Buffer.from([0x61, 0xe2, 0x82])).kind).toBe('binary');
  });

  it('pretty-prints an ordinary JSON body without a note', () => {
    expect(bodyView(Buffer.from('{"a":[1,{}]}'))).toStrictEqual({ kind: 'json', text: '{\n  "a": [\n    1,\n    {}\n  ]\n}', raw: '{"a":[1,{}]}' });
  });

  it('cuts the hex dump of a large binary body but keeps every byte in base64', () => {
    const bytes = Buffer.alloc(HEX_PREVIEW_BYTES + 1, 0xff);
    const view = bodyView(bytes);
    expect(view.kind === 'binary' && [view.hexTruncated, view.hex.split('\n').length, Buffer.from(view.base64, 'base64').length]).toEqual([
      true,
      HEX_PREVIEW_BYTES / 16,
      HEX_PREVIEW_BYTES + 1,
    ]);
  });
});

group('redactHeader(name, value)', () => {
  it('keeps the scheme word and shortens the signature of an Authorization header', () => {
    const signature = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde=';
    expect(signature).toHaveLength(44);
    expect(redactHeader('Authorization', `HMACSHA256 ${signature}`)).toBe('HMACSHA256 AbCd…(44 chars)');
  });

  it('shortens signature-, token- and cookie-like headers whole, and leaves others alone', () => {
    expect(redactHeader('webhook-signature', 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=')).toBe('v1,K…(47 chars)');
    expect(redactHeader('Cookie', 'session=abcdefghijkl')).toBe('sess…(20 chars)');
    expect(redactHeader('X-Api-Key', 'k-123456789')).toBe('k-12…(11 chars)');
    expect(redactHeader('User-Agent', 'Bracken-Webhooks/1.0 secretless')).toBe('Bracken-Webhooks/1.0 secretless');
  });
});

group('describe(view) and summarize(view)', () => {
  it('summarize keeps what the list shows and nothing of the headers or body', () => {
    const view = deliveryView({ event: 'user_create', handler: 'failed', handlerError: 'boom' });
    expect(Object.keys(summarize(view)).sort()).toEqual(
      [
        'ackMs',
        'bodyBytes',
        'code',
        'event',
        'eventFields',
        'handler',
        'handlerError',
        'id',
        'method',
        'payloadProblem',
        'reason',
        'receivedAt',
        'status',
        'url',
        'verdict',
      ].sort(),
    );
    expect(summarize(view).handlerError).toBe('boom');
  });

  it("summarize shows the event's key fields, and why a payload does not fit its provisional shape", () => {
    const fits = summarize(deliveryView({ body: JSON.stringify(EXAMPLE_EVENTS.Course_Expiring) }));
    expect([fits.eventFields, fits.payloadProblem]).toEqual([
      'userkey 1001, username "Test-User-1", coursekey 2003, certificate "http://127.0.0.1:4010/sandbox/certificates/2002", expires "2025-01-31T12:00:00.000Z"',
      undefined,
    ]);
    // The fake feed's default body nests the user: shown as far as it goes, with the field at fault.
    const nested = summarize(deliveryView());
    expect(nested.eventFields).toBe('');
    expect(nested.payloadProblem).toBe(`The payload does not fit the User_Create shape (provisional, the sandbox's guess): "userkey" is missing.`);
    const notJson = summarize(deliveryView({ body: 'a=1' }));
    expect([notJson.eventFields, notJson.payloadProblem]).toEqual(['', undefined]);
  });

  it('describe says a body refused unread (413) was not kept, rather than showing it as empty', () => {
    const view = { ...deliveryView({ body: '', status: 413, verdict: 'rejected', code: 'body_too_large' }), bodyBytes: 5_000_000 };
    expect(describe(view).body).toEqual({ kind: 'not-kept', bytes: 5_000_000 });
    expect(describe(deliveryView({ body: '' })).body).toEqual({ kind: 'empty' });
  });

  it('describe never contains the full signature, and pretty-prints a JSON body', () => {
    const view = deliveryView({ body: '{"eventname":"user_create","user":{"userkey":7}}' });
    const signature = (view.headers.find(([name]) => name === 'Authorization')?.[1] ?? '').split(' ')[1] ?? '';
    const detail = describe(view);
    expect(signature).toHaveLength(44);
    expect(JSON.stringify(detail)).not.toContain(signature);
    expect(detail.headers).toContainEqual(['Authorization', `HMACSHA256 ${signature.slice(0, 4)}…(44 chars)`]);
    expect(detail.body).toEqual({
      kind: 'json',
      text: '{\n  "eventname": "user_create",\n  "user": {\n    "userkey": 7\n  }\n}',
      raw: '{"eventname":"user_create","user":{"userkey":7}}',
    });
  });
});

group('replayHeaders(headers) and replayTarget(listenerUrl, recordedUrl)', () => {
  it('drops hop-by-hop headers and those named by Connection, keeping case, order and duplicates', () => {
    const headers = [
      ['Host', 'a'],
      ['X-Trace', '1'],
      ['Connection', 'keep-alive, X-Hop'],
      ['X-Hop', 'gone'],
      ['Content-Length', '2'],
      ['Transfer-Encoding', 'chunked'],
      ['authorization', 'HMACSHA256 x'],
      ['X-Trace', '2'],
    ] as const;
    expect(replayHeaders(headers)).toEqual([
      ['X-Trace', '1'],
      ['authorization', 'HMACSHA256 x'],
      ['X-Trace', '2'],
    ]);
  });

  it('sends to the listener origin at the recorded path, and never to another host', () => {
    const listener = 'http://127.0.0.1:5000/webhooks';
    expect(replayTarget(listener, '/webhooks?x=1')).toBe('http://127.0.0.1:5000/webhooks?x=1');
    expect(replayTarget(listener, '//evil.example/x')).toBe(listener);
    expect(replayTarget(listener, 'http://evil.example/x')).toBe(listener);
  });
});
