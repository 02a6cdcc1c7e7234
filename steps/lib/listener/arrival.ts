/**
 * Every request's arrival, noted once, as soon as its headers are parsed: its delivery id, the
 * time, method, URL and headers. Also which response is in flight on each socket, because a
 * request Node's parser refuses later on that socket is answered after it (see client-error.ts).
 *
 * @example
 * app.use((req, res, next) => (trackRequest(req, res), next()));
 * arrivalFor(req).id // 'mwrq3k0a-1f2e3d4c000001'
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Headers } from '../signature/index.ts';

/** When and how a request arrived, taken as soon as its headers were parsed. */
export interface Arrival {
  readonly id: string;
  readonly receivedAt: string;
  /** `performance.now()` at arrival, for ack times. */
  readonly t: number;
  readonly method: string;
  readonly url: string;
  readonly remoteAddress: string | undefined;
  readonly rawHeaders: readonly string[];
  readonly headers: Headers;
}

/** The request on a socket whose answer has not finished yet. */
export interface InFlight {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly arrival: Arrival;
}

// Random per process, so ids from a restarted listener never collide with the journal's; a counter
// within the process, so no CSPRNG call per request (it showed at 2.5% of CPU under load).
const PROCESS_NONCE = randomBytes(4).toString('hex');
let counter = 0;

/** `<ms since epoch, base36>-<process nonce hex><counter base36>`: unique, and sorts by arrival. */
export function newDeliveryId(now = Date.now()): string {
  counter += 1;
  return `${now.toString(36)}-${PROCESS_NONCE}${counter.toString(36).padStart(6, '0')}`;
}

/** A new arrival for `req`, now. */
export function arrivalOf(req: {
  method?: string | undefined;
  url?: string | undefined;
  rawHeaders: string[];
  headers: Headers;
  socket: { remoteAddress?: string | undefined };
}): Arrival {
  const now = Date.now();
  return {
    id: newDeliveryId(now),
    receivedAt: new Date(now).toISOString(),
    t: performance.now(),
    method: req.method ?? '',
    url: req.url ?? '',
    remoteAddress: req.socket.remoteAddress,
    rawHeaders: req.rawHeaders,
    headers: req.headers,
  };
}

const arrivals = new WeakMap<IncomingMessage, Arrival>();
const inFlight = new WeakMap<Duplex, InFlight>();

/** The arrival of `req`, noted the first time it is asked for. */
export function arrivalFor(req: IncomingMessage): Arrival {
  let arrival = arrivals.get(req);
  if (arrival === undefined) {
    arrival = arrivalOf(req);
    arrivals.set(req, arrival);
  }
  return arrival;
}

/** Notes a request's arrival (time, id) and which response is in flight on its socket. */
export function trackRequest(req: IncomingMessage, res: ServerResponse): void {
  const arrival = arrivalFor(req);
  const socket = req.socket;
  inFlight.set(socket, { req, res, arrival });
  res.once('close', () => {
    if (inFlight.get(socket)?.res === res) inFlight.delete(socket);
  });
}

/** Requests being answered without their body being read (404, 405, 417...). */
const refusedUnread = new WeakSet<IncomingMessage>();

/**
 * Notes that `req` is being answered without its body being read. A body that then breaks the
 * HTTP framing makes Node's parser report an error for the same request: that request already
 * has its answer and record coming (see client-error.ts).
 */
export function noteRefusedUnread(req: IncomingMessage): void {
  refusedUnread.add(req);
}

/** Whether `req` is being answered without its body being read. */
export function isRefusedUnread(req: IncomingMessage): boolean {
  return refusedUnread.has(req);
}

/** Requests whose answer closes the connection (`Connection: close`: a 411, a Host refusal...). */
const closingAnswers = new WeakSet<Arrival>();

/**
 * Notes, before its answer is stored and sent, that the answer to `arrival` closes the connection:
 * bytes the client sent after that request are then never read as a request (see client-error.ts).
 */
export function noteAnswerCloses(arrival: Arrival): void {
  closingAnswers.add(arrival);
}

/**
 * Whether the request in flight on `socket` is answered with `Connection: close`: a request that
 * came after it on the same connection (pipelined) never gets an answer, so it is not handled.
 */
export function followsClosingAnswer(socket: Duplex): boolean {
  const current = inFlight.get(socket);
  return current !== undefined && closingAnswers.has(current.arrival);
}

/** The request on `socket` still being answered, if any. */
export function inFlightOn(socket: Duplex): InFlight | undefined {
  return inFlight.get(socket);
}
