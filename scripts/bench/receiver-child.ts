/**
 * The process every receiver under test runs in, baselines and ours alike: the parent starts it
 * with `spawnNode` (same node flags for all), sends `{type:'start', receiver, options}` over IPC
 * (the secret travels there, never on the command line), and gets `{type:'ready', port}` back.
 * `{type:'stop'}`, SIGTERM or the parent going away closes the server and exits.
 */
import { performance } from 'node:perf_hooks';
import { exitWhenStopped } from './child-exit.ts';
import type {
  FailedMessage,
  ReadyMessage,
  ReceiverName,
  RunningReceiver,
  SettledMessage,
  SettleMessage,
  StartMessage,
  StartReceiver,
} from './receivers/types.ts';

const LOADERS: Readonly<Record<ReceiverName, () => Promise<StartReceiver>>> = {
  bare: async () => (await import('./receivers/bare-node.ts')).startBareNode,
  express: async () => (await import('./receivers/express-raw.ts')).startExpressRaw,
  tutorial: async () => (await import('./receivers/tutorial.ts')).startTutorial,
  durable: async () => (await import('./receivers/durable-node.ts')).startDurableNode,
  ours: async () => (await import('./receivers/ours.ts')).startOurs,
  'ours-ack': async () => (await import('./receivers/ours.ts')).startOursWithoutHandler,
};

let running: RunningReceiver | undefined;
const stop = exitWhenStopped(() => running);

function reply(message: ReadyMessage | FailedMessage | SettledMessage): void {
  process.send?.(message);
}

async function settle(timeoutMs: number): Promise<void> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    (running?.settle?.() ?? Promise.resolve()).then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  reply({ type: 'settled', ms: performance.now() - started, done });
}

process.on('message', (message: StartMessage | SettleMessage | { type: 'stop' }) => {
  if (message.type === 'stop') {
    void stop(0);
    return;
  }
  if (message.type === 'settle') {
    void settle(message.timeoutMs);
    return;
  }
  if (message.type !== 'start' || running !== undefined) return;
  void (async () => {
    try {
      const start = await LOADERS[message.receiver]();
      running = await start(message.options);
      reply({ type: 'ready', port: running.port, description: running.description });
    } catch (error) {
      reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      await stop(1);
    }
  })();
});
