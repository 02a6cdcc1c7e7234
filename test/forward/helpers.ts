/**
 * A listener whose handler forwards to the user's app (LISTEN_FORWARD_TO), over a file store in a
 * fresh temp folder, with its inspector, as step 3 runs them; and a capturing app that keeps the
 * exact bytes and header pairs of each request it gets. Everything is closed when the test ends.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { RetryPolicy } from '../../steps/lib/delivery/index.ts';
import { forwardingHandler } from '../../steps/lib/forward/index.ts';
import { type Inspector, startInspector } from '../../steps/lib/inspector/inspector.ts';
import { openJournal } from '../../steps/lib/journal/journal.ts';
import { type RunningListener, startListener } from '../../steps/lib/listener/listener.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { fileStore } from '../../steps/lib/store/file/file-store.ts';
import type { DeliveryStore } from '../../steps/lib/store/store.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { TEST_LISTENER } from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';

export interface ForwardingListener {
  readonly listener: RunningListener;
  readonly store: DeliveryStore;
  readonly inspector: Inspector;
  readonly logs: string[];
  /** The journal folder, to open it again. */
  readonly journalDir: string;
}

/** Listener + file store + inspector, forwarding to `url` with `retry` (HANDLER_* settings). */
export async function startForwardingListener(url: string, retry: RetryPolicy): Promise<ForwardingListener> {
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const journalDir = join(await tempDir('forward'), 'journal');
  const store = fileStore(await openJournal({ dir: journalDir, maxBytes: 1024 * 1024, keepFiles: 2, log }));
  const listener = await startListener({
    ...TEST_LISTENER,
    store,
    handler: forwardingHandler({ url, scheme: bracken, handlerTimeoutMs: retry.timeoutMs, log }),
    retry,
    log,
  });
  const inspector = await startInspector({ port: 0, store, replayUrl: listener.url, forwardTo: url });
  onCleanup(async () => {
    await inspector.close();
    await listener.close();
    await store.close();
  });
  return { listener, store, inspector, logs, journalDir };
}

export interface Captured {
  /** The request target as the app got it: path and query. */
  readonly url: string;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

/** An app on a free port that answers `status` (with `headers`) and keeps every request's raw header pairs and bytes. */
export async function startCapturingApp(status = 200, headers: Record<string, string> = {}): Promise<{ url: string; requests: Captured[] }> {
  const requests: Captured[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
      res.writeHead(status, { 'content-type': 'text/plain', 'set-cookie': 'session=abcdefghijklmnopqrstuvwxyz0123456789', ...headers }).end('thanks');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, requests };
}
