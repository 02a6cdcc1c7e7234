/**
 * "Open the Ngrok Web Interface ... You should see a POST /webhooks 200 OK": here we watch the
 * listener's feed instead, with a visible progress indicator, and give up after a timeout with
 * the reason (nothing arrived, or what arrived was refused).
 */
import { styleText } from 'node:util';
import { STEP_VERIFY_FAILED, StepError } from '../../steps/lib/core/index.ts';
import { type DeliveryFeed, type DeliveryView, watchFeed } from '../../steps/lib/delivery/index.ts';

export interface WaitOptions {
  feed: DeliveryFeed;
  /** Event name to wait for, compared case-insensitively. */
  event: string;
  timeoutMs: number;
  log: (line: string) => void;
  /** Where the spinner (terminal) or dots (pipe) go. */
  progress: NodeJS.WritableStream;
  inspectorUrl: string;
  /** On a timeout, where to look on the sender's side (the sandbox's last attempt, or Bracken's subscription). */
  sender: () => string;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Resolves with the first valid delivery of `event`; throws StepError STEP_VERIFY_FAILED on timeout. */
export async function waitForDelivery(options: WaitOptions): Promise<DeliveryView> {
  const { feed, event, timeoutMs, progress } = options;
  const wanted = (view: DeliveryView) => view.verdict === 'valid' && view.event?.toLowerCase() === event.toLowerCase();
  const already = feed.list().find(wanted);
  if (already !== undefined) return report(already, options);

  const watch = watchFeed(feed, wanted);
  // Kept to say why, if the wanted delivery never comes.
  const refused: DeliveryView[] = [];
  const stopRefused = feed.subscribe((view) => {
    if (view.verdict !== 'valid' && !refused.some((r) => r.id === view.id)) refused.push(view);
  });
  const tty = (progress as { isTTY?: boolean }).isTTY === true;
  const started = Date.now();
  let frame = 0;
  const tick = setInterval(
    () => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      progress.write(tty ? `\r   ${FRAMES[frame++ % FRAMES.length]} waiting for the ${event} delivery... ${seconds} s ` : '.');
    },
    tty ? 100 : 500,
  );
  let view: DeliveryView | undefined;
  try {
    view = await watch.within(timeoutMs);
  } finally {
    clearInterval(tick);
    watch.stop();
    stopRefused();
    progress.write(tty ? '\r\x1b[K' : '\n');
  }
  if (view !== undefined) return report(view, options);
  const last = refused.at(-1);
  const why =
    last === undefined
      ? `No ${event} delivery reached the listener within ${timeoutMs / 1000} s.`
      : `A delivery arrived but was refused: ${last.status} ${last.code}: ${last.reason}`;
  throw new StepError(STEP_VERIFY_FAILED, why, {
    hint: `${options.sender()} The listener's inspector at ${options.inspectorUrl} shows what arrived.`,
  });
}

function report(view: DeliveryView, options: WaitOptions): DeliveryView {
  options.log(`${styleText('green', '✔')} POST /webhooks ${view.status} ${view.event ?? ''}: ${view.reason} (answered in ${view.ackMs.toFixed(1)} ms)`);
  return view;
}
