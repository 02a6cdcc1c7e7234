/**
 * The suite's one way to drive a browser: Debian's Chromium (`/usr/bin/chromium`) through
 * playwright-core, headless, with nothing that reaches the network on its own. A browser test is
 * skipped, with the reason printed, when Chromium is not installed, except in CI (helpers/ci.ts),
 * where it runs and fails.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { skipWithout } from './ci.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** True where the browser tests skip: Chromium is missing and this is not CI. */
export const skipBrowserTests = skipWithout(existsSync(CHROMIUM));

/** Prints why `what` is skipped when Chromium is missing; call at module level. */
export function warnIfNoChromium(what: string): void {
  if (skipBrowserTests) console.warn(`Skipping ${what}: ${CHROMIUM} is not installed (apt-get install -y chromium).`);
}

/** Headless Chromium; `args` adds switches (e.g. `--host-resolver-rules=...`). */
export function launchChromium(args: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });
}
