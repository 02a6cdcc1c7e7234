/**
 * The public URL: the tutorial runs `./ngrok http 5000`; this opens the same tunnel with the
 * @ngrok/ngrok SDK, forwarding ONLY the listener's port (never the inspector's).
 *
 * With no NGROK_AUTHTOKEN it returns null and never loads the native addon. ngrok reports a
 * missing or bad token and "no network" with the same error (shared/stack.md §7), so the token
 * check is ours. A hung `forward()` cannot be cancelled and keeps the process alive (as does
 * `ngrok.kill()`), so on TUNNEL_TIMEOUT the caller must exit the process.
 *
 * @example
 * const tunnel = await openTunnel({ port: 5000, authtoken: config.ngrok.authtoken, domain: config.ngrok.domain, timeoutMs: 10_000 });
 * console.log(tunnel?.url ?? 'local only');
 */
import { TUNNEL_FAILED, TUNNEL_TIMEOUT, TunnelError, redact, urlHost } from './core/index.ts';

/** The part of @ngrok/ngrok the workbench uses. */
export interface NgrokModule {
  forward(config: {
    addr: number | string;
    authtoken: string;
    domain?: string;
    /** ngrok calls it with `closed` when the session to its cloud is lost and `connected` when it is back. */
    onStatusChange?: (status: string) => void;
  }): Promise<{ url(): string | null; close(): Promise<void> }>;
}

export type NgrokLoader = () => Promise<NgrokModule>;

export interface TunnelOptions {
  /** The listener's port: the only thing the tunnel forwards to. */
  port: number;
  /** The listener's host; default 127.0.0.1 (not "localhost", which may resolve to ::1). A wildcard is reached through loopback. */
  host?: string;
  authtoken: string | undefined;
  /** A reserved ngrok domain (NGROK_DOMAIN). */
  domain?: string | undefined;
  timeoutMs: number;
  /** Where to say that the open tunnel lost its connection to ngrok, or got it back. */
  log?: (line: string) => void;
  /** How to load @ngrok/ngrok; a seam for tests. */
  load?: NgrokLoader;
}

export interface Tunnel {
  /** e.g. https://abcd-1-2-3-4.ngrok-free.app (no path) */
  readonly url: string;
  close(): Promise<void>;
}

const TOKEN_HELP = 'Check NGROK_AUTHTOKEN in .env (copy it from https://dashboard.ngrok.com/get-started/your-authtoken) and your internet connection';

/** Opens the tunnel, or returns null when no authtoken is set. */
export async function openTunnel(options: TunnelOptions): Promise<Tunnel | null> {
  const { authtoken, domain, timeoutMs } = options;
  if (authtoken === undefined || authtoken === '') return null;
  const load = options.load ?? loadNgrok;
  const addr = `${urlHost(options.host ?? '127.0.0.1')}:${options.port}`;
  // The token must never be printed in full, even inside ngrok's own message.
  const scrub = (text: string) => text.split(authtoken).join(redact(authtoken));

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TunnelError(TUNNEL_TIMEOUT, `ngrok did not open the tunnel within ${timeoutMs} ms (NGROK_TIMEOUT_MS).`, {
            hint: `${TOKEN_HELP}; or unset NGROK_AUTHTOKEN to listen locally only.`,
          }),
        ),
      timeoutMs,
    );
  });
  try {
    const ngrok = await load();
    // ngrok reconnects by itself; until it does, the public URL answers nothing, so the person at the terminal is told.
    // Only once the tunnel is open: while forward() runs, a session that fails is its error, not a lost connection.
    let publicUrl: string | undefined;
    const { log } = options;
    const onStatusChange =
      log === undefined
        ? undefined
        : (status: string) => {
            if (publicUrl !== undefined) log(statusLine(status, publicUrl));
          };
    const config = { addr, authtoken, ...(domain === undefined ? {} : { domain }), ...(onStatusChange === undefined ? {} : { onStatusChange }) };
    const forwarding = ngrok.forward(config);
    // A forward() that answers after TUNNEL_TIMEOUT would leave a tunnel nobody closes, still forwarding the port.
    timeout.catch(() => forwarding.then((late) => late.close()).catch(() => {}));
    const listener = await Promise.race([forwarding, timeout]);
    const url = listener.url();
    if (url === null) {
      // No URL to print or subscribe, but the tunnel is open: close it rather than leave it forwarding the port.
      await closeWithin(listener, Math.min(timeoutMs, 3000));
      throw new Error('ngrok opened the tunnel but gave no URL');
    }
    publicUrl = url.replace(/\/+$/, '');
    return {
      url: publicUrl,
      close: () => closeWithin(listener, Math.min(timeoutMs, 3000)),
    };
  } catch (error) {
    if (error instanceof TunnelError) throw error;
    const message = scrub(error instanceof Error ? error.message : String(error));
    throw new TunnelError(TUNNEL_FAILED, `ngrok could not open the tunnel: ${message}.`, {
      cause: error,
      hint: `${TOKEN_HELP}${domain === undefined ? '' : `, and that NGROK_DOMAIN=${domain} is reserved for that account`}. ngrok reports a bad token and no network the same way.`,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** What step 3 prints when ngrok reports the tunnel's session lost (`closed`) or back (`connected`). */
function statusLine(status: string, url: string): string {
  if (status === 'closed') return `ngrok: the tunnel lost its connection to ngrok; deliveries to ${url} fail until ngrok reconnects it.`;
  if (status === 'connected') return `ngrok: the tunnel is connected again; ${url} reaches this listener.`;
  return `ngrok: tunnel status ${JSON.stringify(status.slice(0, 40))}.`;
}

/** Imported only when a token is set: loading the native addon costs time and memory. */
async function loadNgrok(): Promise<NgrokModule> {
  const ngrok: NgrokModule = await import('@ngrok/ngrok');
  return ngrok;
}

/** `listener.close()` can hang like `forward()`: give up after `ms` rather than hang the shutdown. */
async function closeWithin(listener: { close(): Promise<void> }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([listener.close().catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
