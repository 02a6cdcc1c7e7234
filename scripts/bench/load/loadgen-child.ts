/**
 * The load generator's process: separate from every receiver, so client and server do not share
 * an event loop or a core. It signs a new, distinct body for every request and runs the plans the
 * parent sends over IPC, one at a time; it exits on `{type:'stop'}` or when the parent goes away.
 */
import { deliveryFactory, type SignedBody } from '../bodies.ts';
import { runFixedRate, runSaturation } from './senders.ts';
import type { LoadTarget, ResultMessage, RunMessage } from './types.ts';

const factories = new Map<string, () => SignedBody>();

/** One factory per body size for the life of this process: no body repeats across a receiver's runs. */
function factoryFor(target: LoadTarget): () => SignedBody {
  const key = `${target.bodyBytes}`;
  let next = factories.get(key);
  if (next === undefined) {
    next = deliveryFactory({ secret: target.secret, bytes: target.bodyBytes });
    factories.set(key, next);
  }
  return next;
}

async function run(message: RunMessage): Promise<ResultMessage> {
  const { target, plan } = message;
  const nextBody = factoryFor(target);
  try {
    const result =
      plan.kind === 'saturation'
        ? await runSaturation(target.origin, target.path, nextBody, plan)
        : await runFixedRate(target.origin, target.path, nextBody, plan);
    return { type: 'result', id: message.id, result };
  } catch (error) {
    return { type: 'result', id: message.id, error: error instanceof Error ? error.message : String(error) };
  }
}

let queue = Promise.resolve();
process.on('message', (message: RunMessage | { type: 'stop' }) => {
  if (message.type === 'stop') process.exit(0);
  if (message.type !== 'run') return;
  queue = queue.then(async () => {
    process.send?.(await run(message));
  });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
