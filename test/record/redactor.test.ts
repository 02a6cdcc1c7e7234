/**
 * The redactor and its placeholders (steps/lib/record/): what is replaced, by field and by text,
 * in every encoding, and that the same value always gets the same placeholder, also across the
 * processes of a recording made by single steps.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldKind } from '../../steps/lib/record/fields.ts';
import { placeholderBook } from '../../steps/lib/record/placeholders.ts';
import { createRedactor, type Redactor } from '../../steps/lib/record/redactor.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function redactor(): Promise<Redactor> {
  return createRedactor(await placeholderBook({ file: undefined }));
}

describe('fieldKind(name)', () => {
  it.each([
    ['client_secret', 'client-secret'],
    ['clientSecret', 'client-secret'],
    ['client_id', 'client-id'],
    ['access_token', 'access-token'],
    ['refresh_token', 'access-token'],
    ['password', 'password'],
    ['NewPassword', 'password'],
    ['secret', 'webhook-secret'],
    ['signing_secret', 'secret'],
    ['UserName', 'username'],
    ['email', 'email'],
    ['firstname', 'name'],
    ['mobile', 'personal'],
    ['DomainKey', 'domainkey'],
    ['target', 'target'],
    ['api_key', 'secret'],
    ['X-Api-Key', 'secret'],
  ])('%s holds a %s', (name, kind) => {
    expect(fieldKind(name)).toBe(kind);
  });

  it.each(['token_type', 'expires_in', 'passed', 'mark', 'userkey', 'eventname', 'certificate', 'timestamp'])('%s is kept', (name) => {
    expect(fieldKind(name)).toBeUndefined();
  });
});

describe('createRedactor(book)', () => {
  it('replaces a field named for a secret, learned or not, and the same value the same way everywhere', async () => {
    const r = await redactor();
    expect(r.json({ access_token: 'tok-aaaaaaaa', token_type: 'Bearer', expires_in: 3600 })).toEqual({
      access_token: 'recorded-access-token-1',
      token_type: 'Bearer',
      expires_in: 3600,
    });
    expect(r.json({ access_token: 'tok-bbbbbbbb' })).toEqual({ access_token: 'recorded-access-token-2' });
    expect(r.header('Authorization', 'Bearer tok-aaaaaaaa')).toBe('Bearer recorded-access-token-1');
    expect(r.json({ user: { username: 'Ann-Example', email: 'ann@example.com', passed: true } })).toEqual({
      user: { username: 'recorded-user-1', email: 'recorded-email-1@example.invalid', passed: true },
    });
  });

  it('replaces a learned value wherever else it appears: raw, JSON-escaped, URL- and form-encoded, base64, base64url', async () => {
    const r = await redactor();
    const secret = 'se cr/et+"é';
    r.learn('webhook-secret', secret);
    const forms = [
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      new URLSearchParams({ v: secret }).toString().slice(2),
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
    ];
    const placeholder = 'recorded-webhook-secret-1';
    const placeholderForms = [placeholder, Buffer.from(placeholder).toString('base64'), Buffer.from(placeholder).toString('base64url')];
    for (const form of forms) {
      const out = r.text(`<${form}>`);
      expect(out, form).not.toContain(form);
      expect(
        placeholderForms.map((p) => `<${p}>`),
        form,
      ).toContain(out);
    }
  });

  it('replaces a value shorter than 6 characters only where a field names it, not inside other words', async () => {
    const r = await redactor();
    expect(r.form('grant_type=client_credentials&client_id=demo&client_secret=demo-secret')).toBe(
      'grant_type=client_credentials&client_id=recorded-client-id-1&client_secret=recorded-client-secret-1',
    );
    expect(r.text('a demonstration of demo-secret')).toBe('a demonstration of recorded-client-secret-1');
  });

  it('rewrites HTTP Basic credentials (form-encoded, then base64) and cookie values', async () => {
    const r = await redactor();
    const basic = `Basic ${Buffer.from(`${encodeURIComponent('acme id')}:${encodeURIComponent('s3cr3t:value')}`).toString('base64')}`;
    expect(r.header('authorization', basic)).toBe(`Basic ${Buffer.from('recorded-client-id-1:recorded-client-secret-1').toString('base64')}`);
    expect(r.header('set-cookie', 'ARRAffinity=abc123def; Path=/; HttpOnly')).toBe('ARRAffinity=recorded-cookie-1; Path=/; HttpOnly');
    expect(r.header('cookie', 'a=one1234; b=two5678')).toBe('a=recorded-cookie-2; b=recorded-cookie-3');
  });

  it('keeps an echo shortened as the sender shortened it, but from the placeholder', async () => {
    const r = await redactor();
    r.learn('webhook-secret', 'VfF0j5qLhioF-fwdZafrKrLMlNQ9BDSAtz1VgKzyrkk');
    expect(r.json({ secret: 'VfF0…(43 chars)' })).toEqual({ secret: 'reco…(25 chars)' });
    expect(r.json({ secret: '****' })).toEqual({ secret: '****' });
  });

  it('replaces the domainkey as a number in fields, and as a whole number in text and paths', async () => {
    const r = await redactor();
    r.learn('domainkey', 15435);
    expect(r.json({ domainkey: 15435, userkey: 15435, detail: 'This token is for domain 15435.', other: 'id 154350' })).toEqual({
      domainkey: 900001,
      userkey: 15435,
      detail: 'This token is for domain 900001.',
      other: 'id 154350',
    });
    expect(r.text('/api/webhook/merge/domain/15435/event/user_create')).toBe('/api/webhook/merge/domain/900001/event/user_create');
  });

  it("replaces a webhook target's origin, and its host wherever it appears (a Host header)", async () => {
    const r = await redactor();
    expect(r.json({ target: 'https://ab12-34.ngrok-free.app/webhooks' })).toEqual({ target: 'https://tunnel-1.recorded.invalid/webhooks' });
    expect(r.header('host', 'ab12-34.ngrok-free.app')).toBe('tunnel-1.recorded.invalid');
    expect(r.text('see https://ab12-34.ngrok-free.app/webhooks')).toBe('see https://tunnel-1.recorded.invalid/webhooks');
  });
});

describe('createRedactor(book): credentials in URLs', () => {
  it('replaces a query or fragment parameter named for a credential, in a path, a Location header and free text', async () => {
    const r = await redactor();
    expect(r.text('/api/report?api_key=QueryKey-7a1c&page=2&Password=p%40ss-w0rd')).toBe(
      '/api/report?api_key=recorded-secret-1&page=2&Password=recorded-password-1',
    );
    expect(r.header('Location', 'https://api.example.com/cb?state=ok&access_token=LocToken-99#id_token=FragToken-12')).toBe(
      'https://api.example.com/cb?state=ok&access_token=recorded-access-token-1#id_token=recorded-access-token-2',
    );
    // Learned once, the same value is replaced wherever else it stands.
    expect(r.json({ detail: 'token LocToken-99 expired' })).toEqual({ detail: 'token recorded-access-token-1 expired' });
  });

  it("replaces a URL's user name and password", async () => {
    const r = await redactor();
    expect(r.text('see https://ann:pw-123456@host.example/x and http://KeyAsUser-0042@host.example/')).toBe(
      'see https://recorded-user-1:recorded-password-1@host.example/x and http://recorded-user-2@host.example/',
    );
  });

  it("replaces every query value of the webhook target (a function key in ?code=), there and in the delivery's URL", async () => {
    const r = await redactor();
    expect(r.json({ target: 'https://fn.azurewebsites.net/api/hook?code=FnKey-0123456789&v=2' })).toEqual({
      target: 'https://tunnel-1.recorded.invalid/api/hook?code=recorded-secret-1&v=recorded-secret-2',
    });
    expect(r.text('/api/hook?code=FnKey-0123456789&v=2')).toBe('/api/hook?code=recorded-secret-1&v=2');
  });
});

describe('createRedactor(book): credentials inside a text body', () => {
  it('replaces a field of JSON written into a string (an error echoing the request, a body encoded twice)', async () => {
    const r = await redactor();
    expect(r.json({ detail: '{"client_secret":"EchoSecret-99","ok":true}' })).toEqual({ detail: '{"client_secret":"recorded-client-secret-1","ok":true}' });
    expect(r.json('{"access_token": "Twice-Encoded-77", "token_type": "Bearer"}')).toBe('{"access_token": "recorded-access-token-1", "token_type": "Bearer"}');
    expect(r.text('not JSON {"password":"x"')).toBe('not JSON {"password":"x"');
  });
});

describe('createRedactor(book): a known value inside a longer base64 text', () => {
  it('replaces it wherever it stands in the decoded text (a header carrying base64 of "id:secret"), base64 and base64url', async () => {
    const r = await redactor();
    r.learn('client-secret', 'acme-secret-0123456789');
    const inside = 'acme:acme-secret-0123456789;v=1';
    expect(r.text(`Credentials ${Buffer.from(inside).toString('base64')}`)).toBe(
      `Credentials ${Buffer.from('acme:recorded-client-secret-1;v=1').toString('base64')}`,
    );
    expect(r.text(`c=${Buffer.from(`{"k":"${inside}"}`).toString('base64url')}`)).toBe(
      `c=${Buffer.from('{"k":"acme:recorded-client-secret-1;v=1"}').toString('base64url')}`,
    );
    // Text that merely looks like base64 is left as it is.
    expect(r.text('ThisIsJustALongWordNotBase64Encoded')).toBe('ThisIsJustALongWordNotBase64Encoded');
  });
});

describe('createRedactor(book): request headers echoed in a body', () => {
  it('replaces an Authorization or Cookie field as it replaces the header', async () => {
    const r = await redactor();
    expect(r.json({ headers: { Authorization: 'Bearer never-learned-token-1', cookie: 'sid=never-learned-cookie', accept: '*/*' } })).toEqual({
      headers: { Authorization: 'Bearer recorded-access-token-1', cookie: 'sid=recorded-cookie-1', accept: '*/*' },
    });
  });
});

describe('createRedactor(book): a known value as a JSON key', () => {
  it('replaces it in the key too (a map keyed by user name)', async () => {
    const r = await redactor();
    r.learn('username', 'Ann-Example-User');
    expect(r.json({ marks: { 'Ann-Example-User': 7 } })).toEqual({ marks: { 'recorded-user-1': 7 } });
  });
});

describe('createRedactor(book): a known value JSON-escaped as \\uXXXX', () => {
  it('replaces it in text that is not JSON (a delivery cut short), in lower- and upper-case hex', async () => {
    const r = await redactor();
    r.learn('username', 'Zoë-Planted-User');
    expect(r.text('{"username":"Zo\\u00eb-Planted-User", "cut')).toBe('{"username":"recorded-user-1", "cut');
    expect(r.text('{"username":"Zo\\u00EB-Planted-User", "cut')).toBe('{"username":"recorded-user-1", "cut');
  });
});

describe('placeholderBook({ file })', () => {
  it('numbers each kind on its own, and a second book on the same file (another step) continues it, keeping hashes only', async () => {
    const file = join(await tempDir('book'), 'recordings', 'demo.json');
    const first = await placeholderBook({ file });
    expect([first.for('access-token', 'token-one'), first.for('username', 'Ann-Example'), first.for('access-token', 'token-one')]).toEqual([
      'recorded-access-token-1',
      'recorded-user-1',
      'recorded-access-token-1',
    ]);
    await first.save();
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('token-one');
    expect(text).not.toContain('Ann-Example');

    const second = await placeholderBook({ file });
    expect([second.for('access-token', 'token-two'), second.for('access-token', 'token-one'), second.for('domainkey', '15435')]).toEqual([
      'recorded-access-token-2',
      'recorded-access-token-1',
      '900001',
    ]);
  });
});
