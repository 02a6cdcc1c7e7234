/**
 * The tutorial's own receiver (test/fixtures/tutorial-receiver.cjs: Bracken's index.js with
 * `app.use(express.json())` added) as a user's app, started as its own process on a free port, as
 * `node index.js` would be: plain node, no tsx loader (it is JavaScript), which also spares each
 * start tsx's half second. It is stopped when the test ends (startCommand's cleanup).
 */
import { startCommand, type StartedScript } from './process.ts';

const RECEIVER_FILE = 'test/fixtures/tutorial-receiver.cjs';
/** The line the app prints per answered request: method, path, status. */
const ANSWER_LINE = /^[A-Z]+ \S+ \d{3}$/;

export interface TutorialReceiver {
  /** e.g. http://127.0.0.1:40123/webhooks */
  readonly url: string;
  readonly port: number;
  readonly process: StartedScript;
  /**
   * The status of each request it answered, in order (`POST /webhooks 200`), once at least `atLeast`
   * lines have reached this process: the app prints each line after its answer is sent, so a line can
   * arrive after the sender already has the answer.
   */
  answered(atLeast: number): Promise<string[]>;
  /** SIGTERM, and wait for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts the receiver verifying with `secret` on `port` (0 = a free one). `asPrinted` leaves out
 * `express.json()`, as the tutorial prints it: then every delivery gets a 500.
 */
export async function startTutorialReceiver(options: { secret: string; port?: number; asPrinted?: boolean }): Promise<TutorialReceiver> {
  const started = startCommand([process.execPath, RECEIVER_FILE], {
    label: RECEIVER_FILE,
    env: { WEBHOOK_SECRET: options.secret, PORT: String(options.port ?? 0), ...(options.asPrinted === true ? { TUTORIAL_AS_PRINTED: '1' } : {}) },
  });
  const [, port = ''] = await started.waitFor(/^Listening for webhooks on port (\d+)$/m);
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    port: Number(port),
    process: started,
    async answered(atLeast) {
      await started.waitFor(new RegExp(`(?:^[A-Z]+ \\S+ \\d{3}\\n[\\s\\S]*?){${atLeast}}`, 'm'));
      return started.lines().filter((line) => ANSWER_LINE.test(line));
    },
    async stop() {
      await started.stop();
    },
  };
}
