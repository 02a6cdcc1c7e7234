/**
 * What every receiver under test looks like to the bench: started in its own process by
 * `receiver-child.ts`, listening on 127.0.0.1 on a free port, answering POST /webhooks.
 */

/**
 * (a) bare node:http + HMAC, (b) express raw body, (c) the tutorial's receiver, (d) (a) + fdatasync,
 * ours, and ours without a handler (only on request: it tells the acknowledgement path's cost from
 * the handler's, which runs after the answer on the same CPU).
 */
export const RECEIVER_NAMES = ['bare', 'express', 'tutorial', 'durable', 'ours', 'ours-ack'] as const;
export type ReceiverName = (typeof RECEIVER_NAMES)[number];

/** What a run loads without --receivers: the baselines and ours, which the targets compare. */
export const DEFAULT_RECEIVERS: readonly ReceiverName[] = ['bare', 'express', 'tutorial', 'durable', 'ours'];

/** One line per receiver for the table and the JSON. */
export const RECEIVER_LABELS: Readonly<Record<ReceiverName, string>> = Object.freeze({
  bare: '(a) node:http + HMAC',
  express: '(b) express raw 200',
  tutorial: '(c) tutorial receiver',
  durable: '(d) (a) + fdatasync',
  ours: 'ours (listener + journal)',
  'ours-ack': 'ours, no handler',
});

export interface ReceiverOptions {
  /** The webhook secret deliveries are signed with. */
  readonly secret: string;
  /** A temp folder the receiver may write to (our journal); removed by the parent. */
  readonly stateDir: string;
}

export interface RunningReceiver {
  readonly port: number;
  /** A sentence for the report: what exactly runs (e.g. which handler). */
  readonly description: string;
  /**
   * Resolves when work queued behind the answers is done (our handler runs after the 2xx).
   * Receivers that do everything before answering have nothing to wait for.
   */
  settle?(): Promise<void>;
  close(): Promise<void>;
}

export type StartReceiver = (options: ReceiverOptions) => Promise<RunningReceiver>;

/** Parent → receiver child: start this receiver. */
export interface StartMessage {
  readonly type: 'start';
  readonly receiver: ReceiverName;
  readonly options: ReceiverOptions;
}

/** Receiver child → parent: listening. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly port: number;
  readonly description: string;
}

/** Parent → receiver child: finish the work queued behind the answers, for at most `timeoutMs`. */
export interface SettleMessage {
  readonly type: 'settle';
  readonly timeoutMs: number;
}

/** Receiver child → parent: how long settling took, and whether it finished within the limit. */
export interface SettledMessage {
  readonly type: 'settled';
  readonly ms: number;
  readonly done: boolean;
}

/** Child → parent: could not start (the child exits after sending it). */
export interface FailedMessage {
  readonly type: 'failed';
  readonly message: string;
}

export function isReceiverName(value: string): value is ReceiverName {
  return (RECEIVER_NAMES as readonly string[]).includes(value);
}
