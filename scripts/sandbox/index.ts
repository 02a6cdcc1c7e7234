/**
 * A faithful local Bracken: identity server, API and webhook deliveries on one loopback port.
 * `npm run sandbox` runs it on its own; the walkthrough, e2e tests and benchmarks start it
 * in-process with `startSandbox`.
 *
 * @example
 * const sandbox = await startSandbox({ ...sandboxOptionsFromConfig(loadConfig()), port: 0 });
 * console.log(readyLine(sandbox)); // Bracken sandbox ready at http://127.0.0.1:40123 (client_id demo, ...)
 * await sandbox.whenIdle(10_000);  // every delivery made
 * await sandbox.close();           // pending deliveries stay in the store for the next start
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { allowedHosts, bindServer, isLoopbackHost, urlHost, type Config, type UserDeleteRoute, invalidArgument, redact } from '../../steps/lib/core/index.ts';
import { createApp } from './app.ts';
import { SANDBOX_FAILED, SANDBOX_PORT_IN_USE, SandboxError } from './errors.ts';
import { createDeliveryEngine } from './deliveries.ts';
import { createLiveFeed } from './live.ts';
import { compileRoute } from './route-template.ts';
import { lockStore } from './store-lock.ts';
import { openStore, storeFileFor, type StoredDelivery, type StoredSubscription, type StoredUser } from './store.ts';
import { createTokenService } from './tokens.ts';
import type { EventPayload } from './events.ts';

/** The sandbox's default client secret: printed in full, since the README publishes it. */
const DEMO_CLIENT_SECRET = 'demo-secret';

/** The sandbox settings of the configuration (SANDBOX_*; port 0 picks a free port), plus where and how to run. */
export interface SandboxOptions extends Omit<Config['sandbox'], 'host'> {
  /** Interface to bind; default 127.0.0.1. Keep it on loopback: the sandbox has demo credentials. */
  readonly host?: string;
  /** The store goes in `<stateDir>/sandbox/store-<port>.json`. */
  readonly stateDir: string;
  readonly userDeleteRoute: UserDeleteRoute;
  /** Receives one line per request and per delivery attempt; default: silent. */
  readonly log?: (line: string) => void;
  /** Per delivery attempt; default 5000. */
  readonly deliveryTimeoutMs?: number;
  /** The deliveries' clock (timestamps, the retry policy's age limit); default Date.now. Tests move it on by days. */
  readonly now?: () => number;
  /**
   * The body bytes of each event's deliveries; default the sandbox's provisional shapes (events.ts).
   * `npm run sandbox -- --compare` is tested against a sandbox whose payload differs.
   */
  readonly encodePayload?: (payload: EventPayload) => string;
}

export interface RunningSandbox {
  /** The origin, e.g. `http://127.0.0.1:4010`: issuer, identity URL and API URL at once. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly domainkey: number;
  /** The JSON file holding users, subscriptions and deliveries. */
  readonly storeFile: string;
  /** The delivery log page, e.g. `http://127.0.0.1:4010/sandbox/`. */
  readonly logUrl: string;
  /** Copies of the deliveries, oldest first (the Authorization value in full). */
  deliveries(): StoredDelivery[];
  users(): StoredUser[];
  subscriptions(): StoredSubscription[];
  /** Resolves when no delivery is pending or in flight; rejects after `timeoutMs`, or if the sandbox closes first. */
  whenIdle(timeoutMs?: number): Promise<void>;
  /** Stops accepting requests and sending; pending deliveries stay saved. Safe to call twice. */
  close(): Promise<void>;
}

/** The sandbox settings in `config` (from loadConfig). */
export function sandboxOptionsFromConfig(config: Pick<Config, 'sandbox' | 'stateDir' | 'userDeleteRoute'>): SandboxOptions {
  const { host, port, clientId, clientSecret, domainkey, tokenLifetimeSec, retryScheduleMs, retryMaxAgeMs, expiringDays } = config.sandbox;
  return {
    host,
    port,
    clientId,
    clientSecret,
    domainkey,
    tokenLifetimeSec,
    retryScheduleMs,
    expiringDays,
    retryMaxAgeMs,
    stateDir: config.stateDir,
    userDeleteRoute: config.userDeleteRoute,
  };
}

/** The one line `npm run sandbox` prints when it is ready. */
export function readyLine(sandbox: Pick<RunningSandbox, 'url' | 'clientId' | 'clientSecret' | 'domainkey'>): string {
  // The demo secret is public (it is in the README); one set through SANDBOX_CLIENT_SECRET is not.
  const secret = sandbox.clientSecret === DEMO_CLIENT_SECRET ? sandbox.clientSecret : redact(sandbox.clientSecret);
  return `Bracken sandbox ready at ${sandbox.url} (client_id ${sandbox.clientId}, client_secret ${secret}, domainkey ${sandbox.domainkey})`;
}

/**
 * Binds `host:port` (0 = a free port), loads `<stateDir>/sandbox/store-<port>.json`, resumes its
 * pending deliveries and serves. Throws SandboxError SANDBOX_PORT_IN_USE when the port is taken,
 * StateError STATE_LOCKED when another sandbox (same port, another address) uses the store,
 * STATE_CORRUPT when the store is not valid, TypeError ERR_INVALID_ARG_VALUE for bad options.
 */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  checkOptions(options);
  const log = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const deleteRoute = compileRoute(options.userDeleteRoute);

  // Bind first: the port decides the issuer URL and the store file (which the store lock then
  // claims: the same port may be bound on another address). Requests that arrive before the app is
  // ready get a 503.
  let handler = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":"starting"}');
  };
  const server = createServer((req, res) => handler(req, res));
  const port = await bindServer(server, host, options.port, (error, inUse) =>
    inUse
      ? new SandboxError(SANDBOX_PORT_IN_USE, `Port ${options.port} on ${host} is already in use.`, {
          cause: error,
          hint: 'Another sandbox may be running (npm run sandbox): use that one, stop it, or set SANDBOX_PORT to a free port.',
        })
      : new SandboxError(SANDBOX_FAILED, `The sandbox cannot listen on ${host}:${options.port}: ${error.message}`, {
          cause: error,
          hint: 'Check SANDBOX_HOST and SANDBOX_PORT.',
        }),
  );
  const url = `http://${urlHost(host)}:${port}`;
  // Any 127.* name passes here (127.1 too): this only decides whether to warn.
  if (!isLoopbackHost(host) && !host.startsWith('127.')) log(`warning: the sandbox listens on ${host}, not only on loopback`);

  let store: Awaited<ReturnType<typeof openStore>>;
  let unlock: (() => Promise<void>) | undefined;
  try {
    // Another sandbox may own the same port on another address (SANDBOX_HOST): the lock keeps it off this file.
    unlock = await lockStore(storeFileFor(options.stateDir, port));
    store = await openStore(storeFileFor(options.stateDir, port));
  } catch (error) {
    await unlock?.();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  const release = unlock;
  const tokens = createTokenService({
    key: store.data.signingKey,
    issuer: url,
    holder: { clientId: options.clientId, domainkey: options.domainkey },
  });
  const live = createLiveFeed({ store, log });
  const engine = createDeliveryEngine({
    store,
    retryScheduleMs: options.retryScheduleMs,
    retryMaxAgeMs: options.retryMaxAgeMs,
    timeoutMs: options.deliveryTimeoutMs ?? 5_000,
    log,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.encodePayload === undefined ? {} : { encodePayload: options.encodePayload }),
    onChange: live.delivery,
  });
  const app = createApp({
    ...options,
    issuer: url,
    tokens,
    store,
    engine,
    live,
    deleteRoute,
    allowedHosts: allowedHosts(host, port),
    log,
    onChange: live.changed,
  });
  handler = (req, res) => app(req, res);

  const pending = store.data.deliveries.filter((d) => d.status === 'pending');
  if (pending.length > 0) log(`resuming ${pending.length} pending deliveries from ${store.file}`);
  for (const delivery of pending) {
    delivery.nextAttemptAt = null; // a restart is a good moment to try again at once
    engine.schedule(delivery);
  }

  let closing: Promise<void> | undefined;
  const data = store.data;
  return {
    url,
    host,
    port,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    domainkey: options.domainkey,
    storeFile: store.file,
    logUrl: `${url}/sandbox/`,
    deliveries: () => structuredClone(data.deliveries),
    users: () => structuredClone(data.users),
    subscriptions: () => structuredClone(data.subscriptions),
    whenIdle: (timeoutMs) => engine.whenIdle(timeoutMs),
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        live.streams.closeAll();
        server.closeAllConnections();
        try {
          await engine.close();
          await stopped;
        } finally {
          await release();
        }
      })();
      return closing;
    },
  };
}

function checkOptions(options: SandboxOptions): void {
  const bad = (what: string): never => {
    throw invalidArgument(`[sandbox] ${what}`);
  };
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) bad(`"port" must be 0-65535, got ${String(options.port)}`);
  if (options.clientId === '' || options.clientSecret === '') bad('"clientId" and "clientSecret" must be non-empty strings');
  if (!Number.isSafeInteger(options.domainkey) || options.domainkey < 1) bad(`"domainkey" must be a positive integer, got ${String(options.domainkey)}`);
  if (!(options.tokenLifetimeSec > 0)) bad(`"tokenLifetimeSec" must be positive, got ${String(options.tokenLifetimeSec)}`);
  if (options.retryScheduleMs.length === 0 || !options.retryScheduleMs.every((ms) => Number.isInteger(ms) && ms >= 0)) {
    bad(`"retryScheduleMs" must be a non-empty list of whole milliseconds, got [${options.retryScheduleMs.join(', ')}]`);
  }
  if (!Number.isInteger(options.expiringDays) || options.expiringDays < 1)
    bad(`"expiringDays" must be a whole number of days, at least 1, got ${String(options.expiringDays)}`);
  if (!Number.isSafeInteger(options.retryMaxAgeMs) || options.retryMaxAgeMs < 1)
    bad(`"retryMaxAgeMs" must be a positive whole number of milliseconds, got ${String(options.retryMaxAgeMs)}`);
  if (options.stateDir === '') bad('"stateDir" must be a folder path');
}
