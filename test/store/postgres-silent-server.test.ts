/**
 * DATABASE_URL pointing at something that takes the connection and never answers (a Postgres that
 * hangs, a firewall that swallows packets after the handshake): the connection attempt ends after
 * HTTP_TIMEOUT_MS and says so. pg reports it as "Connection terminated due to connection timeout",
 * which was read as a server that closed the connection at once, with a hint about the wrong port.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../steps/lib/store/index.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { pgConfig } from '../helpers/postgres.ts';

describe('a DATABASE_URL whose server never answers', () => {
  it('fails after HTTP_TIMEOUT_MS as WORKBENCH_STORE_UNREACHABLE saying it did not answer, the password hidden', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket); // takes the connection, says nothing
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onCleanup(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as AddressInfo;
    const url = `postgres://app:hunter2-secret@127.0.0.1:${port}/webhooks`;
    const error = await openDatabase(pgConfig(url, { HTTP_TIMEOUT_MS: '300' }), { role: 'reader' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: 'WORKBENCH_STORE_UNREACHABLE',
      message: `Postgres at 127.0.0.1:${port} did not answer within 300 ms (DATABASE_URL=postgres://app:****@127.0.0.1:${port}/webhooks, HTTP_TIMEOUT_MS).`,
    });
  });
});
