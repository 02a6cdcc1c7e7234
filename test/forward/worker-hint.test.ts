/**
 * The line step 3 prints on Postgres to say how to start workers that forward (run through step 3
 * itself in forward-worker-hint.test.ts): a command to paste, unless the URL holds a credential.
 */
import { describe, expect, it } from 'vitest';
import { workersForwardHint } from '../../steps/lib/forward/index.ts';

describe('workersForwardHint', () => {
  it('a URL without a credential: the command to paste, the URL one shell word', () => {
    expect(workersForwardHint('http://127.0.0.1:8000/webhooks')).toBe(
      'The workers forward: start them with LISTEN_FORWARD_TO=http://127.0.0.1:8000/webhooks npm run worker (or -- --forward-to http://127.0.0.1:8000/webhooks).',
    );
    expect(workersForwardHint('http://127.0.0.1:8000/hooks?a=1&b=2')).toBe(
      `The workers forward: start them with LISTEN_FORWARD_TO='http://127.0.0.1:8000/hooks?a=1&b=2' npm run worker (or -- --forward-to 'http://127.0.0.1:8000/hooks?a=1&b=2').`,
    );
  });

  it('a URL with a token in its query: no command, and the token shortened', () => {
    const line = workersForwardHint('http://127.0.0.1:8000/webhooks?token=Zq81vLmP4xRt7YwK2nBc9dHf6jGs3aE0');
    expect(line).toBe(
      'The workers forward: start them with the same LISTEN_FORWARD_TO (http://127.0.0.1:8000/webhooks?token=Zq81…(32 chars); it holds a credential, so it is not printed whole) and npm run worker.',
    );
  });
});
