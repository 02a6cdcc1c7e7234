import type { IncomingMessage } from 'node:http';
import { describe, expect, test } from 'vitest';
import { checkLoopbackPeer } from '../../steps/lib/core/local-guard.ts';
import { isLoopbackHost, isLoopbackUrl, processIsRunning, urlHost } from '../../steps/lib/core/net.ts';
import { exitedPid } from '../helpers/process.ts';

describe('processIsRunning', () => {
  test('is true for this process and false for a process that has exited', () => {
    expect(processIsRunning(process.pid)).toBe(true);
    expect(processIsRunning(exitedPid())).toBe(false);
  });
});

describe('isLoopbackHost(host)', () => {
  test.each(['localhost', '::1', '127.0.0.1', '127.1.2.254'])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  test.each(['0.0.0.0', '::', '[::1]', '127.1', '127.0.0.1.nip.io', '127.0.0.1000', '10.0.0.1', 'example.com', ''])('refuses %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('isLoopbackUrl(url)', () => {
  test.each(['http://localhost:4010', 'http://LOCALHOST/', 'http://[::1]:5000/webhooks', 'http://127.0.0.1:4010', 'http://127.1:4010', 'https://127.8.9.10'])(
    'accepts %s',
    (url) => {
      expect(isLoopbackUrl(url)).toBe(true);
    },
  );
  test.each(['http://0.0.0.0:4010', 'http://[::]:4010', 'http://127.0.0.1.nip.io/', 'https://api.brackenlearning.com', 'http://10.1.2.3'])(
    'refuses %s',
    (url) => {
      expect(isLoopbackUrl(url)).toBe(false);
    },
  );
});

describe('urlHost(host)', () => {
  test('reaches a wildcard bind through loopback and brackets IPv6', () => {
    expect([urlHost('0.0.0.0'), urlHost(''), urlHost('::'), urlHost('::1'), urlHost('127.0.0.1'), urlHost('localhost')]).toEqual([
      '127.0.0.1',
      '127.0.0.1',
      '[::1]',
      '[::1]',
      '127.0.0.1',
      'localhost',
    ]);
  });
});

describe('checkLoopbackPeer(req) (core/local-guard.ts)', () => {
  const from = (remoteAddress: string | undefined) => checkLoopbackPeer({ socket: { remoteAddress } } as unknown as IncomingMessage);
  test.each(['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.2'])('lets %s in', (address) => {
    expect(from(address)).toBeUndefined();
  });
  test.each(['192.0.2.2', '::ffff:10.0.0.1', 'fe80::1'])('refuses %s, naming it', (address) => {
    expect(from(address)).toEqual({
      status: 403,
      code: 'not_loopback',
      error: `This page is served to this machine only, not to ${address.replace('::ffff:', '')}.`,
    });
  });
  test('refuses a socket with no address (already closed)', () => {
    expect(from(undefined)?.code).toBe('not_loopback');
  });
});
