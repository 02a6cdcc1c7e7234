/**
 * Binding a local server, shared by the listener, the inspector and the sandbox: listen on
 * host:port (0 picks a free port) and turn a bind failure into the caller's own typed error,
 * and write the bound address as it goes in a URL.
 *
 * @example
 * const port = await bindServer(server, '127.0.0.1', 0, (error, inUse) => new ListenerError(...));
 * const origin = `http://${urlHost('127.0.0.1')}:${port}`;
 */
import type { Server } from 'node:net';

/** Listens and resolves with the bound port; rejects with `toError(error, inUse)` when the bind fails. */
export function bindServer(
  server: Server,
  host: string,
  port: number,
  toError: (error: NodeJS.ErrnoException, inUse: boolean) => Error,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(toError(error, error.code === 'EADDRINUSE')));
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** The host as it goes in a URL: a wildcard bind is reached through loopback, IPv6 goes in brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
