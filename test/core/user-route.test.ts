import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { CONFIG_INVALID } from '../../steps/lib/core/errors.ts';
import { parseRouteTemplate } from '../../steps/lib/core/user-route.ts';
import { userDeletePath } from '../../steps/lib/bracken/routes.ts';
import { compileRoute } from '../../scripts/sandbox/route-template.ts';

describe('parseRouteTemplate(path)', () => {
  test('splits the path into the text around each placeholder', () => {
    expect(parseRouteTemplate('/api/user/delete/domain/{domainkey}/user/{userkey}')).toEqual({
      literals: ['/api/user/delete/domain/', '/user/', ''],
      placeholders: ['domainkey', 'userkey'],
      unknown: undefined,
      namesUser: true,
    });
    expect(parseRouteTemplate('/api/{username}.remove')).toEqual({
      literals: ['/api/', '.remove'],
      placeholders: ['username'],
      unknown: undefined,
      namesUser: true,
    });
  });

  test('reports the first unknown placeholder or lone brace as written, and whether the user is named', () => {
    expect(parseRouteTemplate('/api/user/{id}/{name}')).toMatchObject({ unknown: '{id}', namesUser: false });
    expect(parseRouteTemplate('/api/{}/{userkey}')).toMatchObject({ unknown: '{}', namesUser: true });
    expect(parseRouteTemplate('/api/{{userkey}}')).toMatchObject({ unknown: '{', placeholders: ['userkey'] });
    expect(parseRouteTemplate('/api/{userkey}}')).toMatchObject({ unknown: '}' });
    expect(parseRouteTemplate('/api/domain/{domainkey}')).toMatchObject({ unknown: undefined, namesUser: false });
  });

  test('config, step 6 and the sandbox agree on a route with a lone brace: refused, each in its own words', () => {
    const path = '/api/user/{{userkey}}';
    expect(() => loadConfig({ env: { BRACKEN_USER_DELETE_ROUTE: `DELETE ${path}` } })).toThrow(
      expect.objectContaining({ code: CONFIG_INVALID, message: expect.stringContaining('expected placeholders among {domainkey}, {userkey}, {username}') }),
    );
    expect(() => userDeletePath({ method: 'DELETE', path }, { domainkey: 1, userkey: 2, username: 'x' })).toThrow(
      expect.objectContaining({ code: CONFIG_INVALID, message: 'BRACKEN_USER_DELETE_ROUTE has an unknown placeholder {.' }),
    );
    expect(() => compileRoute({ method: 'DELETE', path })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_VALUE',
        message: `Unknown placeholder { in the delete route "${path}": use {domainkey}, {userkey}, {username}.`,
      }),
    );
  });
});
