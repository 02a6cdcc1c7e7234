/**
 * A stand-in for Bracken on loopback, for the tests that run a step or npm start as its own
 * process (out of nock's reach): it answers the token request, lets the test answer the rest, and
 * keeps `METHOD /path` of every request it has read. Closed when the test ends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { onCleanup } from './cleanup.ts';

export interface LoopbackBracken {
  /** `http://127.0.0.1:<port>`: both BRACKEN_IDENTITY_URL and BRACKEN_API_URL. */
  readonly url: string;
  /** `POST /connect/token`, `PUT /api/...`, in the order read. */
  readonly seen: string[];
  /** The variables that point the workbench at it, as client acme in domain 12345, with `stateDir` as its state folder. */
  env(stateDir: string): Record<string, string>;
}

/** Starts it; `answerApi` answers every request but the token's (leaving one unanswered is allowed). */
export async function loopbackBracken(answerApi: (request: IncomingMessage, response: ServerResponse) => void): Promise<LoopbackBracken> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push(`${request.method} ${request.url}`);
      if (request.url !== '/connect/token') return answerApi(request, response);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ access_token: 'tok-loopback-bracken-0123456789', token_type: 'Bearer', expires_in: 3600 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  onCleanup(() => server.closeAllConnections());
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  return {
    url,
    seen,
    env: (stateDir) => loopbackBrackenEnv(url, stateDir),
  };
}

/** The variables that point the workbench at a Bracken stand-in at `url`, as client acme in domain 12345. */
export function loopbackBrackenEnv(url: string, stateDir: string): Record<string, string> {
  return {
    BRACKEN_CLIENT_ID: 'acme',
    BRACKEN_CLIENT_SECRET: 'acme-secret-0123456789',
    BRACKEN_DOMAINKEY: '12345',
    BRACKEN_IDENTITY_URL: url,
    BRACKEN_API_URL: url,
    WORKBENCH_STATE_DIR: stateDir,
  };
}
