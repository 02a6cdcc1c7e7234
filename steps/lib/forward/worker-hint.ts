/**
 * Step 3 on Postgres, where `npm run worker` runs the handlers: the line that says how to start the
 * workers so they forward too. It is a command to paste, so the URL is one shell word in it, and a
 * URL holding a credential (`?token=…`) is not printed at all: shortened, the pasted command would
 * forward to the wrong URL; whole, it would show the credential on a terminal.
 *
 * @example
 * workersForwardHint('http://127.0.0.1:8000/hooks?a=1&b=2')
 * // "The workers forward: start them with LISTEN_FORWARD_TO='http://127.0.0.1:8000/hooks?a=1&b=2' npm run worker (or -- --forward-to …)."
 */
import { redactUrlSecrets, shellWord } from '../core/index.ts';

export function workersForwardHint(url: string): string {
  const shown = redactUrlSecrets(url);
  if (shown !== url) {
    return `The workers forward: start them with the same LISTEN_FORWARD_TO (${shown}; it holds a credential, so it is not printed whole) and npm run worker.`;
  }
  return `The workers forward: start them with LISTEN_FORWARD_TO=${shellWord(url)} npm run worker (or -- --forward-to ${shellWord(url)}).`;
}
