/**
 * The trigger's line to a running sandbox: JSON over its own `/sandbox/` routes (no token: they
 * are the sandbox's, on loopback). `connectSandbox` first checks that what answers is the
 * workbench's sandbox and that it knows the learning routes.
 *
 * @example
 * const sandbox = await connectSandbox('http://127.0.0.1:4010', 10_000);
 * const module = await sandbox.post<StoredModule>('/sandbox/modules', {});
 */
import { isObject } from '../../steps/lib/core/index.ts';
import type { StoredDelivery } from '../sandbox/store.ts';
import { TRIGGER_NO_SANDBOX, TRIGGER_REFUSED, TRIGGER_TIMEOUT, TriggerError } from './errors.ts';

/** The route the sandbox lists in `GET /` once it can fire the learning events. */
const LEARNING_ROUTE = 'POST /sandbox/modules';
const SANDBOX_NAME = 'Bracken sandbox (bracken-webhook-workbench)';
const BUSY =
  'It is running but busy (thousands of deliveries?) or stuck: wait and run this again, or raise HTTP_TIMEOUT_MS. ' +
  'What this run said it created is in the sandbox, and the request that timed out may have been carried out too: GET /sandbox/deliveries shows what was sent.';
const START_IT = 'Start it in another terminal with `npm run sandbox` (npm start runs a sandbox of its own, which stops when it ends), then run this again.';

export interface SandboxClient {
  readonly url: string;
  get<T>(path: string): Promise<T>;
  /** GET, with the X-Total-Count the answer carries (undefined when it has none). */
  getCounted<T>(path: string): Promise<{ data: T; total: number | undefined }>;
  post<T>(path: string, body: unknown): Promise<T>;
}

/** A client for the sandbox at `url`. Throws TriggerError TRIGGER_NO_SANDBOX when none answers there, TRIGGER_TIMEOUT when it answers too slowly. */
export async function connectSandbox(url: string, timeoutMs: number): Promise<SandboxClient> {
  const request = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ data: T; total: number | undefined }> => {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${url}${path}`, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      // A timeout means something took the connection: a busy sandbox, not a missing one.
      if ((error as Error).name === 'TimeoutError') {
        throw new TriggerError(TRIGGER_TIMEOUT, `The sandbox at ${url} did not answer ${method} ${path} within ${timeoutMs} ms.`, {
          cause: error,
          hint: BUSY,
        });
      }
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new TriggerError(TRIGGER_NO_SANDBOX, `No sandbox is running at ${url} (${cause}).`, { cause: error, hint: START_IT });
    }
    const data = parse(text);
    if (!response.ok) {
      const detail = (data as { detail?: unknown } | undefined)?.detail;
      const errors = (data as { errors?: unknown } | undefined)?.errors;
      const why = typeof detail === 'string' ? detail : errors !== undefined ? JSON.stringify(errors) : text.slice(0, 200);
      throw new TriggerError(TRIGGER_REFUSED, `The sandbox refused ${method} ${path}: ${response.status} ${why}`, {
        hint: 'Check the --user, --module or --course you gave (GET /sandbox/users, /sandbox/modules and /sandbox/courses list them), or leave them out to have new ones made.',
      });
    }
    const total = response.headers.get('x-total-count');
    return { data: data as T, total: total === null || !/^\d+$/.test(total) ? undefined : Number(total) };
  };

  // Whatever answers may not be a sandbox at all: a web page, or JSON that is not an object.
  const { data: info } = await request<unknown>('GET', '/');
  const routes = isObject(info) && Array.isArray(info.routes) ? info.routes : [];
  if (!isObject(info) || info.name !== SANDBOX_NAME || !routes.includes(LEARNING_ROUTE)) {
    throw new TriggerError(TRIGGER_NO_SANDBOX, `What answers at ${url} is not the workbench's sandbox, or a version that cannot fire the learning events.`, {
      hint: `Stop it and start the sandbox of this checkout: npm run sandbox. ${START_IT}`,
    });
  }
  return {
    url,
    get: async <T>(path: string) => (await request<T>('GET', path)).data,
    getCounted: (path) => request('GET', path),
    post: async <T>(path: string, body: unknown) => (await request<T>('POST', path, body)).data,
  };
}

function parse(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * How many deliveries the sandbox has made so far: where this run's begin. Asked for the newest one
 * only, with the total in X-Total-Count: with thousands of deliveries the whole list is tens of MB.
 */
export async function deliveryCount(sandbox: SandboxClient): Promise<number> {
  const { data, total } = await sandbox.getCounted<StoredDelivery[]>('/sandbox/deliveries?limit=1');
  return total ?? data.length;
}

/**
 * The deliveries the sandbox made after its first `start`, newest first: the newest (total − start),
 * asked again with the new total when more were made between two answers. None when the sandbox
 * was reset since (fewer than `start`).
 */
export async function deliveriesSince(sandbox: SandboxClient, start: number): Promise<StoredDelivery[]> {
  let asked = 1;
  for (;;) {
    const { data, total = data.length } = await sandbox.getCounted<StoredDelivery[]>(`/sandbox/deliveries?limit=${asked}`);
    const made = total - start;
    if (made <= asked) return data.slice(0, Math.max(0, made));
    asked = made;
  }
}
