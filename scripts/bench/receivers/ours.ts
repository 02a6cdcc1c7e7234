/**
 * Ours: the workbench's real listener (`startListener`), as step 3 runs it: the Bracken scheme,
 * a real journal that fdatasyncs every delivery before the 2xx (in a temp folder), and the sample
 * handler running after the answer. Limits come from the default configuration. The only
 * difference from step 3 is that nothing is printed per request (the log goes nowhere), so the
 * figure is the listener's, not the terminal's.
 *
 * `ours-ack` is the same listener with no handler (deliveries are stored `not-run`, and not
 * deduplicated): the acknowledgement path alone, to tell its cost from the handler's, which runs
 * after each answer on the same CPU (its run, its outcome record, the feed updates).
 */
import { loadConfig } from '../../../steps/lib/core/index.ts';
import { journalDir, openJournal } from '../../../steps/lib/journal/index.ts';
import { startListener, sampleHandler } from '../../../steps/lib/listener/index.ts';
import { bracken } from '../../../steps/lib/signature/index.ts';
import { BENCH_HOST } from './listen.ts';
import type { ReceiverOptions, RunningReceiver, StartReceiver } from './types.ts';

export const startOurs: StartReceiver = (options) => startOursWith(options, { handler: true });

export const startOursWithoutHandler: StartReceiver = (options) => startOursWith(options, { handler: false });

async function startOursWith({ secret, stateDir }: ReceiverOptions, { handler }: { handler: boolean }): Promise<RunningReceiver> {
  // Defaults only: the bench must not pick up a developer's .env (a LISTEN_PORT, a small body limit).
  const config = loadConfig({ env: {} });
  const quiet = () => {};
  const journal = await openJournal({ dir: journalDir(stateDir), ...config.journal, log: quiet });
  const secrets = [secret] as const;
  try {
    const listener = await startListener({
      host: BENCH_HOST,
      port: 0,
      scheme: bracken,
      secrets: () => secrets,
      bodyLimitBytes: config.listen.bodyLimitBytes,
      requestTimeoutMs: config.listen.requestTimeoutMs,
      journal,
      ...(handler ? { handler: sampleHandler(quiet) } : {}),
      log: quiet,
    });
    return {
      port: listener.port,
      description: `startListener (bracken scheme, ${handler ? 'sample handler' : 'no handler'}) + openJournal (fdatasync per group commit), no per-request printing`,
      // The sample handler runs after each 2xx; a burst leaves a queue of handler runs behind it.
      settle: () => listener.idle(),
      async close() {
        await listener.close();
        await journal.close();
      },
    };
  } catch (error) {
    await journal.close();
    throw error;
  }
}
