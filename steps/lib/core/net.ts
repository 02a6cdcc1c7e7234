/**
 * The local network, in one place: binding a server (listener, inspector, sandbox) and turning a
 * bind failure into the caller's own typed error, writing a host as it goes in a URL, telling a
 * loopback host or URL from any other, and whether a process (a listener, a journal's owner) still runs.
 *
 * @example
 * const port = await bindServer(server, '127.0.0.1', 0, (error, inUse) => new ListenerError(...));
 * const origin = `http://${urlHost('127.0.0.1')}:${port}`;
 * isLoopbackUrl(origin) // true: plain http is fine here
 */
import type { Server } from 'node:net';

/** Listens and resolves with the bound port; rejects with `toError(error, inUse)` when the bind fails. */
export function bindServer(server: Server, host: string, port: number, toError: (error: NodeJS.ErrnoException, inUse: boolean) => Error): Promise<number> {
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

/** True for a loopback host written out: `localhost`, `::1`, or a dotted 127.x.x.x address. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** True for a URL on a loopback host: the only place plain http is allowed. */
export function isLoopbackUrl(url: string): boolean {
  // The URL parser writes an IPv4 host in dotted decimal (127.1 becomes 127.0.0.1) and an IPv6 one in brackets.
  return isLoopbackHost(new URL(url).hostname.replace(/^\[(.*)\]$/, '$1'));
}

/** True when a process with this id exists (signal 0 checks without signalling). */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
