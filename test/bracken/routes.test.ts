import { describe, expect, test } from 'vitest';
import { userCreatePath, userDeletePath, webhookMergePath } from '../../steps/lib/bracken/routes.ts';
import { CONFIG_INVALID, ConfigError } from '../../steps/lib/core/errors.ts';

describe('bracken-routes', () => {
  test('webhookMergePath and userCreatePath follow the tutorial', () => {
    expect(webhookMergePath(15435, 'user_create')).toBe('/api/webhook/merge/domain/15435/event/user_create');
    expect(userCreatePath(15435)).toBe('/api/user/create/domain/15435');
  });

  test('userDeletePath fills every placeholder, URL-encoded', () => {
    const route = { method: 'DELETE', path: '/d/{domainkey}/u/{userkey}/n/{username}' };
    expect(userDeletePath(route, { domainkey: 1, userkey: 2, username: 'a b/{c}?' })).toBe('/d/1/u/2/n/a%20b%2F%7Bc%7D%3F');
  });

  test('userDeletePath refuses an unknown placeholder with CONFIG_INVALID', () => {
    let error: unknown;
    try {
      userDeletePath({ method: 'DELETE', path: '/api/user/{id}' }, { domainkey: 1, userkey: 2, username: 'x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: CONFIG_INVALID, message: 'BRACKEN_USER_DELETE_ROUTE has an unknown placeholder {id}.' });
  });
});
