import { describe, expect, test } from 'vitest';
import { loadConfig, type Env } from '../../steps/lib/core/config.ts';
import { databaseTarget, redactDatabaseUrl } from '../../steps/lib/core/database-url.ts';
import { CONFIG_INVALID, CONFIG_MISSING, ConfigError } from '../../steps/lib/core/errors.ts';

const BRACKEN: Env = { BRACKEN_CLIENT_ID: 'bracken-client', BRACKEN_CLIENT_SECRET: 'client-secret', BRACKEN_DOMAINKEY: '15435' };

function thrown(env: Env): ConfigError {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig did not throw');
}

describe('loadConfig', () => {
  test('a WEBHOOK_SECRET with a space around it is refused naming the variable, and the secret is not printed in full', () => {
    const secret = 'k7Qm2vXw9Lp4Rt8Yz3Bn6Hc1';
    const error = thrown({ WEBHOOK_SECRET: `${secret} ` });
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.message).toBe(
      'WEBHOOK_SECRET="k7Qm…(24 chars) " is not valid: expected no spaces or newlines around the secret (the sender signs with the exact string).',
    );
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
  });

  test('with no BRACKEN_CLIENT_ID it targets the local sandbox with the demo credentials', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      mode: 'sandbox',
      identityUrl: 'http://127.0.0.1:4010',
      apiUrl: 'http://127.0.0.1:4010',
      clientId: 'demo',
      clientSecret: 'demo-secret',
      domainkey: 15435,
      scope: undefined,
      userDeleteRoute: { method: 'DELETE', path: '/api/user/delete/domain/{domainkey}/user/{userkey}' },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('with BRACKEN_CLIENT_ID, secret and domainkey it targets the real Bracken over https', () => {
    expect(loadConfig({ env: BRACKEN })).toMatchObject({
      mode: 'bracken',
      identityUrl: 'https://identity.brackenlearning.com',
      apiUrl: 'https://api.brackenlearning.com',
      clientId: 'bracken-client',
      clientSecret: 'client-secret',
      domainkey: 15435,
    });
  });

  test('BRACKEN_CLIENT_ID without BRACKEN_CLIENT_SECRET is CONFIG_MISSING naming the variable and .env.example', () => {
    const error = thrown({ BRACKEN_CLIENT_ID: 'bracken-client', BRACKEN_DOMAINKEY: '15435' });
    expect(error.code).toBe(CONFIG_MISSING);
    expect(error.message).toBe('BRACKEN_CLIENT_SECRET is not set; it is required when BRACKEN_CLIENT_ID is set.');
    expect(error.hint).toContain('.env.example');
  });

  test('a blank BRACKEN_CLIENT_SECRET counts as missing', () => {
    expect(thrown({ ...BRACKEN, BRACKEN_CLIENT_SECRET: '   ' }).message).toContain('BRACKEN_CLIENT_SECRET is not set');
  });

  test('BRACKEN_CLIENT_ID without BRACKEN_DOMAINKEY is CONFIG_MISSING naming BRACKEN_DOMAINKEY', () => {
    const error = thrown({ BRACKEN_CLIENT_ID: 'bracken-client', BRACKEN_CLIENT_SECRET: 'client-secret' });
    expect(error.code).toBe(CONFIG_MISSING);
    expect(error.message).toContain('BRACKEN_DOMAINKEY');
  });

  test.each(['abc', '70000', '-1', '50.5'])('LISTEN_PORT=%s is CONFIG_INVALID naming the variable and the value', (port) => {
    const error = thrown({ LISTEN_PORT: port });
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.message).toBe(`LISTEN_PORT=${JSON.stringify(port)} is not valid: expected a whole number from 0 to 65535.`);
    expect(error.hint).toContain('LISTEN_PORT');
  });

  test('BRACKEN_DOMAINKEY must be a positive whole number', () => {
    expect(thrown({ ...BRACKEN, BRACKEN_DOMAINKEY: 'demo' }).code).toBe(CONFIG_INVALID);
  });

  test('plain http is refused for a non-loopback API URL', () => {
    const error = thrown({ ...BRACKEN, BRACKEN_API_URL: 'http://api.brackenlearning.com' });
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.message).toContain('plain http is allowed only on 127.0.0.1 or localhost');
  });

  test('BRACKEN_SCOPE, BRACKEN_USER_DELETE_ROUTE and HTTP_TIMEOUT_MS are read', () => {
    const config = loadConfig({
      env: { ...BRACKEN, BRACKEN_SCOPE: 'bracken-api-scope', BRACKEN_USER_DELETE_ROUTE: 'post /api/user/{username}', HTTP_TIMEOUT_MS: '2500' },
    });
    expect(config.scope).toBe('bracken-api-scope');
    expect(config.userDeleteRoute).toEqual({ method: 'POST', path: '/api/user/{username}' });
    expect(config.httpTimeoutMs).toBe(2500);
  });

  test('a BRACKEN_USER_DELETE_ROUTE with an unknown placeholder, or none naming the user, is CONFIG_INVALID at load', () => {
    for (const route of ['DELETE /api/user/{id}', 'DELETE /api/user/domain/{domainkey}']) {
      const error = thrown({ BRACKEN_USER_DELETE_ROUTE: route });
      expect(error.code).toBe(CONFIG_INVALID);
      expect(error.message).toBe(
        `BRACKEN_USER_DELETE_ROUTE=${JSON.stringify(route)} is not valid: expected placeholders among {domainkey}, {userkey}, {username}, naming the user with {userkey} or {username}.`,
      );
    }
    expect(loadConfig({ env: { BRACKEN_USER_DELETE_ROUTE: 'DELETE /api/{domainkey}/users/{username}' } }).userDeleteRoute.path).toBe(
      '/api/{domainkey}/users/{username}',
    );
  });

  test('a BRACKEN_USER_DELETE_ROUTE without a method is CONFIG_INVALID', () => {
    expect(thrown({ BRACKEN_USER_DELETE_ROUTE: '/api/user/{userkey}' }).code).toBe(CONFIG_INVALID);
  });
});

describe("DATABASE_URL in libpq's socket form (no host after the @)", () => {
  test('is accepted as pg and libpq accept it: the socket folder, or a host name, in ?host=', () => {
    for (const value of [
      'postgres://app:pass9word@/webhooks?host=/var/run/postgresql',
      'postgresql://app@/webhooks?host=/var/run/postgresql&port=5433',
      'postgres://app:pass9word@/webhooks?host=db.example&port=5433',
    ]) {
      expect(loadConfig({ env: { DATABASE_URL: value } }).database.url).toBe(value);
    }
  });

  test('is shown with the password hidden, as written', () => {
    expect(redactDatabaseUrl('postgres://app:pass9word@/webhooks?host=/var/run/postgresql')).toBe('postgres://app:****@/webhooks?host=/var/run/postgresql');
    expect(databaseTarget('postgres://app:pass9word@/webhooks?host=/var/run/postgresql')).toBe('/var/run/postgresql:5432');
    expect(databaseTarget('postgres://app:pass9word@/webhooks?host=db.example&port=5433')).toBe('db.example:5433');
  });

  test('without ?host= either, messages name localhost:5432, where pg connects (not a socket, as libpq would)', () => {
    expect(databaseTarget('postgres://app:pass9word@/webhooks')).toBe('localhost:5432');
    expect(databaseTarget('postgres:///webhooks')).toBe('localhost:5432');
  });
});

describe('URL settings with a user name or password', () => {
  test.each([
    ['WEBHOOK_TARGET', 'https://hooks:s3cret-pass@app.example/webhooks', 'https://hooks:****@app.example/webhooks'],
    ['LISTEN_FORWARD_TO', 'http://hooks:s3cret-pass@127.0.0.1:8000/webhooks', 'http://hooks:****@127.0.0.1:8000/webhooks'],
    ['BRACKEN_API_URL', 'http://hooks:s3cret-pass@api.example/', 'http://hooks:****@api.example/'],
    ['WEBHOOK_TARGET', 'https://hooks@app.example/webhooks', 'https://hooks@app.example/webhooks'],
  ])('%s=%j is refused naming it, the password shown as ****', (name, value, shown) => {
    const error = thrown({ [name]: value });
    expect(error).toMatchObject({ code: CONFIG_INVALID, variable: name });
    expect(error.message).toBe(
      `${name}=${JSON.stringify(shown)} is not valid: expected a URL without a user name or password: the workbench prints it, and sends no credentials from it.`,
    );
    expect(`${error.message} ${error.hint}`).not.toContain('s3cret-pass');
  });

  test.each([
    ['LISTEN_FORWARD_TO', 'http://hooks:s3cret-pass@127.0.0.1:99999/webhooks', '****@127.0.0.1:99999/webhooks'],
    ['LISTEN_FORWARD_TO', 'http://hooks:s3cret#pass@127.0.0.1:8000/webhooks', '****@127.0.0.1:8000/webhooks'],
    ['WEBHOOK_TARGET', 'https://hooks:s3cret/pass@app.example/webhooks', '****@app.example/webhooks'],
  ])('%s=%j, which does not parse, is refused without the password (only what follows the last @)', (name, value, shown) => {
    const error = thrown({ [name]: value });
    expect(error).toMatchObject({ code: CONFIG_INVALID, variable: name });
    expect(error.message).toBe(`${name}=${JSON.stringify(shown)} is not valid: expected an absolute http(s) URL.`);
    expect(`${error.message} ${error.hint}`).not.toContain('s3cret');
  });

  test('a URL without them is taken as before, without its trailing slash', () => {
    expect(loadConfig({ env: { WEBHOOK_TARGET: 'https://app.example/webhooks/' } }).webhook.target).toBe('https://app.example/webhooks');
  });
});

describe('the sandbox URL', () => {
  test('a wildcard SANDBOX_HOST is reached through loopback, IPv6 goes in brackets', () => {
    expect(loadConfig({ env: { SANDBOX_HOST: '0.0.0.0', SANDBOX_PORT: '4011' } }).apiUrl).toBe('http://127.0.0.1:4011');
    expect(loadConfig({ env: { SANDBOX_HOST: '::1', SANDBOX_PORT: '4011' } }).identityUrl).toBe('http://[::1]:4011');
  });

  test.each(['sandbox.example', '192.168.1.5', '1 mb'])(
    'SANDBOX_HOST=%j (not this machine) is refused naming SANDBOX_HOST, not the URL made from it',
    (host) => {
      const error = thrown({ SANDBOX_HOST: host });
      expect(error).toMatchObject({
        code: CONFIG_INVALID,
        variable: 'SANDBOX_HOST',
        hint: 'Fix SANDBOX_HOST in .env or in the environment (see .env.example).',
      });
      expect(error.message).toBe(
        `SANDBOX_HOST=${JSON.stringify(host)} is not valid: expected a loopback address (127.0.0.1, localhost, ::1), or 0.0.0.0 or :: for every interface: the steps reach the sandbox over plain http, which only this machine may carry.`,
      );
    },
  );
});

describe('WEBHOOK_EVENTS', () => {
  test('defaults to user_create, as the tutorial; SANDBOX_EXPIRING_DAYS to 30', () => {
    const config = loadConfig({ env: {} });
    expect(config.webhook.events).toEqual(['user_create']);
    expect(config.sandbox.expiringDays).toBe(30);
  });

  test('takes Bracken event names in any letter case, lower-cased as in the tutorial URL, without repeats', () => {
    expect(loadConfig({ env: { WEBHOOK_EVENTS: ' User_Create, MODULE_COMPLETE ,user_create' } }).webhook.events).toEqual(['user_create', 'module_complete']);
  });

  test.each([
    ['module_completed', 'module_completed'],
    ['user_create,,module_start', ''],
  ])('WEBHOOK_EVENTS=%s is CONFIG_INVALID naming the variable and the name that is not an event', (value, bad) => {
    const error = thrown({ WEBHOOK_EVENTS: value });
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.message).toBe(
      `WEBHOOK_EVENTS=${JSON.stringify(value)} is not valid: expected a comma-separated list of Bracken events (user_create, user_delete, module_start, module_complete, module_expiring, module_expired, course_complete, course_expiring, course_expired), any letter case; ${JSON.stringify(bad)} is not one.`,
    );
  });
});

describe('LISTEN_FORWARD_TO', () => {
  test('is unset by default, and read as the URL requested: path and query exactly as written (a trailing slash is part of the route)', () => {
    expect(loadConfig({ env: {} }).listen.forwardTo).toBeUndefined();
    // Django routes end in a slash (APPEND_SLASH cannot redirect a POST), FastAPI redirects a missing one: a slash removed is a route missed.
    expect(loadConfig({ env: { LISTEN_FORWARD_TO: 'http://127.0.0.1:8000/webhooks/' } }).listen.forwardTo).toBe('http://127.0.0.1:8000/webhooks/');
    expect(loadConfig({ env: { LISTEN_FORWARD_TO: 'http://127.0.0.1:8000/hook?next=/' } }).listen.forwardTo).toBe('http://127.0.0.1:8000/hook?next=/');
    // Written as the HTTP client reads it: no fragment (never sent), spaces encoded, a bare origin with its path `/`.
    expect(loadConfig({ env: { LISTEN_FORWARD_TO: 'http://127.0.0.1:8000/my hooks#top' } }).listen.forwardTo).toBe('http://127.0.0.1:8000/my%20hooks');
    expect(loadConfig({ env: { LISTEN_FORWARD_TO: 'http://localhost:8000' } }).listen.forwardTo).toBe('http://localhost:8000/');
    expect(loadConfig({ env: { LISTEN_FORWARD_TO: 'https://app.example.com/hooks' } }).listen.forwardTo).toBe('https://app.example.com/hooks');
  });

  test('plain http off loopback, or no URL at all, is CONFIG_INVALID naming LISTEN_FORWARD_TO', () => {
    const offLoopback = thrown({ LISTEN_FORWARD_TO: 'http://192.0.2.10:8000/webhooks' });
    expect(offLoopback.code).toBe(CONFIG_INVALID);
    expect(offLoopback.message).toBe(
      'LISTEN_FORWARD_TO="http://192.0.2.10:8000/webhooks" is not valid: expected an https URL (plain http is allowed only on 127.0.0.1 or localhost).',
    );
    expect(offLoopback.hint).toBe('Fix LISTEN_FORWARD_TO in .env or in the environment (see .env.example).');
    expect(thrown({ LISTEN_FORWARD_TO: '8000/webhooks' }).message).toBe('LISTEN_FORWARD_TO="8000/webhooks" is not valid: expected an absolute http(s) URL.');
  });

  test('port 0 (no app listens there: every try would be refused) is CONFIG_INVALID naming LISTEN_FORWARD_TO', () => {
    const error = thrown({ LISTEN_FORWARD_TO: 'http://127.0.0.1:0/webhooks' });
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.message).toBe('LISTEN_FORWARD_TO="http://127.0.0.1:0/webhooks" is not valid: expected the port your app listens on, from 1 to 65535.');
  });

  test('the listener itself is refused as a loop, whatever loopback name or path points at it', () => {
    for (const target of ['http://127.0.0.1:5000/webhooks', 'http://localhost:5000/', 'http://[::1]:5000/other']) {
      const error = thrown({ LISTEN_FORWARD_TO: target });
      expect(error.code).toBe(CONFIG_INVALID);
      expect(error.message).toBe(
        `LISTEN_FORWARD_TO=${JSON.stringify(target)} is the listener itself (LISTEN_HOST=127.0.0.1, LISTEN_PORT=5000): every delivery would be forwarded back to it, a loop.`,
      );
      expect(error.hint).toMatch(/^Point LISTEN_FORWARD_TO at your own app/);
    }
    // Another port, or the same port while the listener binds a host the URL does not reach, is not the listener.
    expect(loadConfig({ env: { LISTEN_FORWARD_TO: 'http://127.0.0.1:5001/webhooks' } }).listen.forwardTo).toBe('http://127.0.0.1:5001/webhooks');
    expect(loadConfig({ env: { LISTEN_FORWARD_TO: 'http://127.0.0.1:5000/webhooks', LISTEN_HOST: '192.0.2.1' } }).listen.forwardTo).toBe(
      'http://127.0.0.1:5000/webhooks',
    );
    expect(thrown({ LISTEN_FORWARD_TO: 'http://127.0.0.1:6000/webhooks', LISTEN_HOST: '0.0.0.0', LISTEN_PORT: '6000' }).code).toBe(CONFIG_INVALID);
  });

  test('a refused forward target is quoted with the credential in its query shortened', () => {
    const token = 'Zq81vLmP4xRt7YwK2nBc9dHf6jGs3aE0';
    expect(thrown({ LISTEN_FORWARD_TO: `http://127.0.0.1:5000/webhooks?token=${token}` }).message).toMatch(
      /^LISTEN_FORWARD_TO="http:\/\/127\.0\.0\.1:5000\/webhooks\?token=Zq81…\(32 chars\)" is the listener itself /,
    );
    expect(thrown({ LISTEN_FORWARD_TO: `http://127.0.0.1:0/webhooks?token=${token}` }).message).toContain('?token=Zq81…(32 chars)" is not valid');
    expect(thrown({ LISTEN_FORWARD_TO: `http://192.0.2.1/webhooks?api_key=${token}` }).message).toContain('?api_key=Zq81…(32 chars)" is not valid');
  });

  test('a postgres:// DATABASE_URL that does not parse says why (an unencoded character in the password, a port past 65535), without the password', () => {
    for (const value of [
      'postgres://app:pa#ss9word@db.example:5432/webhooks',
      'postgres://app:pa/ss9word@db.example:5432/webhooks',
      'postgres://app:pass9word@db.example:99999/webhooks',
    ]) {
      const error = thrown({ DATABASE_URL: value });
      expect(error.code).toBe(CONFIG_INVALID);
      expect(error.message).toBe(
        'DATABASE_URL="****@db.example:' +
          value.split(':').at(-1) +
          '" is not valid: expected a URL that parses: a port from 1 to 65535, and any #, /, ?, @ or % in the user name or password percent-encoded (# as %23, / as %2F, ? as %3F, @ as %40, % as %25).',
      );
      expect(`${error.message} ${error.hint}`).not.toContain('ss9word');
    }
    // libpq's socket form with a password that has `@/` in it, written as is: pg would connect somewhere else.
    expect(thrown({ DATABASE_URL: 'postgres://app:pa@/ss9word@db.example/webhooks' }).message).toBe(
      'DATABASE_URL="****@db.example/webhooks" is not valid: expected a URL that parses: a port from 1 to 65535, and any #, /, ?, @ or % in the user name or password percent-encoded (# as %23, / as %2F, ? as %3F, @ as %40, % as %25).',
    );
    // Not postgres:// at all: as before.
    expect(thrown({ DATABASE_URL: 'mysql://app:pass9word@db/x' }).message).toBe(
      'DATABASE_URL="mysql://app:****@db/x" is not valid: expected a postgres:// URL, such as postgres://user:password@127.0.0.1:5432/webhooks.',
    );
  });
});
