/**
 * `npm run inspector`: the inspector on its own, for an operator, over the Postgres store
 * (DATABASE_URL): every listener's deliveries, live, filtered by verdict or handler state, with
 * Retry now for a failed or dead one. Replay sends to the listener at LISTEN_HOST:LISTEN_PORT, and
 * with LISTEN_FORWARD_TO set (the workers forward), the replayed copy is forwarded to your app again.
 * It listens on INSPECT_PORT (127.0.0.1 only); with step 3 running on this machine, give it
 * another one: `INSPECT_PORT=4041 npm run inspector`.
 */
import { isMain, loadConfig, readCommandLine, runService, urlHost, WEBHOOK_PATH, type Config } from '../steps/lib/core/index.ts';
import { startInspector } from '../steps/lib/inspector/index.ts';
import { openDatabase } from '../steps/lib/store/index.ts';

export interface RunningInspector {
  readonly url: string;
  readonly readyLine: string;
  close(): Promise<void>;
}

export async function startStandaloneInspector(deps: { config?: Config; log?: (line: string) => void } = {}): Promise<RunningInspector> {
  const { config = loadConfig(), log = console.log } = deps;
  const stepThree = config.inspect.port === 0 ? 'the address it prints' : `http://127.0.0.1:${config.inspect.port} (INSPECT_PORT)`;
  const store = await openDatabase(config, {
    role: 'reader',
    log,
    withoutDatabase: {
      command: '`npm run inspector`',
      instead: `with the file journal, use the inspector step 3 serves beside its listener: \`npm run step:3\`, then open ${stepThree}.`,
    },
  });
  try {
    const replayUrl = `http://${urlHost(config.listen.host)}:${config.listen.port}${WEBHOOK_PATH}`;
    const forwardTo = config.listen.forwardTo;
    const inspector = await startInspector({ port: config.inspect.port, store, replayUrl, ...(forwardTo === undefined ? {} : { forwardTo }), log });
    const readyLine = `Inspector at ${inspector.url}: deliveries from every listener in ${store.location} (replays go to ${replayUrl}).`;
    log(readyLine);
    return {
      url: inspector.url,
      readyLine,
      async close() {
        await inspector.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

if (isMain(import.meta.url)) {
  const options = readCommandLine({
    options: {},
    usage: [
      'Usage: npm run inspector',
      "The inspector on its own, over the Postgres store (DATABASE_URL): every listener's deliveries, on INSPECT_PORT (127.0.0.1 only), until Ctrl-C.",
      '  -h, --help   this help',
    ].join('\n'),
    hint: 'npm run inspector takes no options; set INSPECT_PORT to choose its port: INSPECT_PORT=4041 npm run inspector',
  });
  if (options !== undefined) {
    await runService({ title: 'Inspector (Postgres store)', start: () => startStandaloneInspector(), ready: () => 'Ctrl-C stops it.' });
  }
}
