/**
 * The process every part of the scale section runs in (one role each): a listener on the file
 * store or on Postgres, an `npm run worker`, or the baseline's plain INSERTs. The parent starts it
 * with `spawnNode` (the same node flags as every bench child), sends one `start` message over IPC,
 * and gets `ready` (a listener, a worker) or `inserted` (the baseline) back. `{type:'stop'}`,
 * SIGTERM or the parent going away closes what runs and exits.
 *
 * Configuration comes only from the message (defaults otherwise): the bench never picks up a
 * developer's .env or shell (a LISTEN_PORT, HANDLER_* settings).
 */
import { startWorker } from '../../worker.ts';
import { loadConfig } from '../../../steps/lib/core/index.ts';
import { sampleHandler, startListener } from '../../../steps/lib/listener/index.ts';
import { bracken } from '../../../steps/lib/signature/index.ts';
import { openStore } from '../../../steps/lib/store/index.ts';
import { startOurs } from '../receivers/ours.ts';
import { BENCH_HOST } from '../receivers/listen.ts';
import { exitWhenStopped } from '../child-exit.ts';
import { runInserts } from './inserts.ts';
import type { ChildReply, ChildStart } from './messages.ts';

interface Running {
  close(): Promise<void>;
}

const quiet = () => {};
let running: Running | undefined;
const stop = exitWhenStopped(() => running);

function reply(message: ChildReply): void {
  process.send?.(message);
}

/** A listener as step 3 runs it on Postgres: no handler here (the workers run them), nothing printed. */
async function startPostgresListener(databaseUrl: string, secret: string): Promise<Running & { port: number }> {
  const config = loadConfig({ env: { DATABASE_URL: databaseUrl } });
  const store = await openStore(config, { role: 'listener', log: quiet });
  try {
    const listener = await startListener({
      host: BENCH_HOST,
      port: 0,
      scheme: bracken,
      secrets: () => [secret],
      bodyLimitBytes: config.listen.bodyLimitBytes,
      requestTimeoutMs: config.listen.requestTimeoutMs,
      store,
      log: quiet,
    });
    return {
      port: listener.port,
      async close() {
        await listener.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function start(message: ChildStart): Promise<void> {
  switch (message.role) {
    case 'file-listener': {
      const listener = await startOurs({ secret: message.secret, stateDir: message.stateDir });
      running = listener;
      reply({ type: 'ready', port: listener.port });
      return;
    }
    case 'postgres-listener': {
      const listener = await startPostgresListener(message.databaseUrl, message.secret);
      running = listener;
      reply({ type: 'ready', port: listener.port });
      return;
    }
    case 'worker': {
      const config = loadConfig({ env: { DATABASE_URL: message.databaseUrl } });
      running = await startWorker({ config, log: quiet, handler: sampleHandler(quiet) });
      reply({ type: 'ready', port: 0 });
      return;
    }
    case 'inserts':
      reply({ type: 'inserted', result: await runInserts(message.plan) });
      return;
  }
}

process.on('message', (message: ChildStart | { type: 'stop' }) => {
  if (message.type === 'stop') {
    void stop(0);
    return;
  }
  if (message.type !== 'start' || running !== undefined) return;
  start(message).catch(async (error: unknown) => {
    reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    await stop(1);
  });
});
