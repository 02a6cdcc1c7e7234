/**
 * The local pages' Host and Origin checks (core/local-guard.ts, used by the inspector and the
 * sandbox's pages) for what a browser sends: on http's own port 80 it leaves the port out.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { allowedHosts, checkHost, checkSameOrigin } from '../../steps/lib/core/local-guard.ts';

const RULE = { action: 'Replay', header: 'x-inspector', value: 'replay', page: 'the inspector page', missingHeaderCode: 'missing_inspector_header' };

/** A request as the checks read it: its headers. */
function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as IncomingMessage;
}

describe('allowedHosts with checkHost and checkSameOrigin', () => {
  it('INSPECT_PORT=80: the Host and Origin a browser sends without the port are this server', () => {
    const allowed = allowedHosts('127.0.0.1', 80);
    expect(checkHost(request({ host: 'localhost' }), allowed)).toBeUndefined();
    expect(checkHost(request({ host: '127.0.0.1:80' }), allowed)).toBeUndefined();
    expect(checkSameOrigin(request({ host: '127.0.0.1', origin: 'http://127.0.0.1', 'x-inspector': 'replay' }), allowed, RULE)).toBeUndefined();
    expect(checkHost(request({ host: 'evil.example' }), allowed)?.code).toBe('bad_host');
  });

  it('any other port: the Host must carry it, as a browser sends it', () => {
    const allowed = allowedHosts('127.0.0.1', 4040);
    expect(checkHost(request({ host: 'localhost:4040' }), allowed)).toBeUndefined();
    expect(checkHost(request({ host: 'localhost' }), allowed)?.code).toBe('bad_host');
    expect(checkHost(request({ host: 'localhost:80' }), allowed)?.code).toBe('bad_host');
  });
});
