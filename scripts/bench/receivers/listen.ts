/** Listening on loopback only, on a free port: what every bench server does. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The loopback address every bench server binds: nothing here is reachable from elsewhere. */
export const BENCH_HOST = '127.0.0.1';

/** Listens on 127.0.0.1:0 and resolves with the port the OS picked. */
export function listenOnFreePort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, BENCH_HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes the server and its idle keep-alive connections (the load generator keeps some open). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
