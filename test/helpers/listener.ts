/**
 * The suite's one listener harness, for the listener, worker, journal and step 3 tests: a listener
 * on a free port over a journal in a fresh temp folder, signed requests made with the Bracken
 * scheme's own `sign`, raw-socket requests for what HTTP clients refuse to send, and the journal
 * files read back.
 */
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { request } from 'undici';
import { openJournal, readJournalEntries, type Journal } from '../../steps/lib/journal/journal.ts';
import { startListener, type ListenerOptions, type RunningListener } from '../../steps/lib/listener/listener.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { tempDir } from './temp-dir.ts';

export const SECRET = 'test-secret-current';
export const OLD_SECRET = 'test-secret-previous';

export interface TestListener {
  readonly listener: RunningListener;
  readonly journal: Journal;
  readonly dir: string;
  readonly logs: string[];
  close(): Promise<void>;
}

/** What every test listener starts with, whatever its store: loopback, a free port, the Bracken scheme and SECRET. */
export const TEST_LISTENER = {
  host: '127.0.0.1',
  port: 0,
  scheme: bracken,
  secrets: () => [SECRET],
  bodyLimitBytes: 64 * 1024,
  requestTimeoutMs: 5000,
} satisfies Partial<ListenerOptions>;

/** A listener on 127.0.0.1:0 over a journal in `dir` (a new temp folder unless given). */
export async function startTestListener(overrides: Partial<ListenerOptions> & { dir?: string; maxBytes?: number } = {}): Promise<TestListener> {
  const { dir: given, maxBytes = 8 * 1024 * 1024, ...rest } = overrides;
  const dir = given ?? (await tempDir('listener'));
  const logs: string[] = [];
  const journal = rest.journal ?? (await openJournal({ dir, maxBytes, keepFiles: 3, log: (line) => logs.push(line) }));
  const listener = await startListener({
    ...TEST_LISTENER,
    // Small, so the 413 tests need small bodies only.
    bodyLimitBytes: 4096,
    log: (line) => logs.push(line),
    ...rest,
    journal,
  });
  return {
    listener,
    journal,
    dir,
    logs,
    async close() {
      await listener.close();
      await journal.close();
    },
  };
}

/** A Bracken-signed JSON delivery: the exact bytes and the headers a sender adds. */
export function signed(payload: unknown, secret = SECRET): { body: Buffer; headers: Record<string, string> } {
  const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return { body, headers: { 'content-type': 'application/json', ...bracken.sign({ body, secret }) } };
}

/** The `{error, code}` the listener must send for a request the scheme refuses: the scheme's own words. */
export function refusalFor(body: Buffer, headers: Record<string, string>, secrets: readonly string[] = [SECRET]): { error: string; code: string } {
  const result = bracken.verify({ body, headers: lowerCase(headers), secrets });
  if (result.ok) throw new Error('refusalFor: this request verifies');
  return { error: result.message, code: result.reason };
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

export function userCreate(n: number): Record<string, unknown> {
  return { eventname: 'User_Create', domainkey: 15435, userkey: 1000 + n, username: `Test-User-${n}`, timestamp: '2024-01-01T00:00:00Z' };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: unknown;
}

/** POSTs (or `method`s) to `url` with undici, which nock does not intercept. */
export async function send(url: string, init: { method?: string; body?: Buffer | string | Readable; headers?: Record<string, string> } = {}): Promise<Answer> {
  const { method = 'POST', body, headers = {} } = init;
  const response = await request(url, { method: method as 'POST', headers, ...(body === undefined ? {} : { body }) });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** Writes raw bytes to the listener and returns everything it sends back until it closes. */
export function rawExchange(port: number, chunks: readonly (Buffer | string)[], options: { endInput?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (options.endInput === true) socket.end();
    });
  });
}

/** Status code and JSON body of a raw HTTP/1.1 response. */
export function parseRaw(raw: string): { status: number; head: string; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, body: body === '' ? undefined : JSON.parse(body) };
}

/** Every entry of every journal file in `dir`, in file order, as plain objects (read through the journal's own reader). */
export async function journalLines(dir: string): Promise<Record<string, unknown>[]> {
  const { entries } = await readJournalEntries(dir);
  return entries.map((entry) => ({ ...entry }) as Record<string, unknown>);
}

/** The delivery records in the journal, in file order. */
export async function journalRecords(dir: string): Promise<Record<string, unknown>[]> {
  return (await journalLines(dir)).filter((line) => line.type === 'delivery').map((line) => line.record as Record<string, unknown>);
}
