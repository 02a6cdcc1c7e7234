/**
 * The delivery log page under a burst of live events, in headless Chromium: a deactivated
 * subscription cancels every pending delivery at once, and the page must redraw its list once per
 * frame, not once per event (each redraw rebuilds every row, so thousands of rows froze the tab).
 * Skipped (with a printed reason) when /usr/bin/chromium is not installed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort as closedPort } from '../../scripts/walkthrough/free-port.ts';
import { launchChromium, skipBrowserTests, warnIfNoChromium } from '../helpers/chromium.ts';
import { until } from '../helpers/until.ts';
import { accessToken, createUser, subscribe, testSandbox } from './helpers.ts';

warnIfNoChromium('the delivery log burst test');

const SECRET = 'burst-test-secret-0123456789abcdef';
const WAIT = { timeout: 10_000, interval: 50 };
const COUNT = 40;

describe.skipIf(skipBrowserTests)('the delivery log page under a burst of events', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it(`redraws the list a few times, not once per event, when ${COUNT} deliveries are cancelled at once`, async () => {
    const sandbox = await testSandbox({ retryScheduleMs: [60_000] });
    const token = await accessToken(sandbox);
    const down = `http://127.0.0.1:${await closedPort()}/webhooks`;
    await subscribe(sandbox, token, down, SECRET);
    for (let i = 0; i < COUNT; i += 1) await createUser(sandbox, token, `Burst-User-${i}`);
    await until(() => sandbox.deliveries().every((d) => d.attempts === 1)); // no attempt left to announce

    const page = await browser.newPage();
    await page.goto(sandbox.logUrl);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    const rows = page.locator('#deliveries tbody tr');
    await expect.poll(() => rows.count(), WAIT).toBe(COUNT);
    // In the page (a string: this project's TypeScript has no DOM types): count the list's redraws.
    await page.evaluate(`
      window.redraws = 0;
      new MutationObserver((records) => { window.redraws += records.length; })
        .observe(document.querySelector('#deliveries tbody'), { childList: true });
    `);

    await subscribe(sandbox, token, down, SECRET, { active: false }); // cancels all COUNT in one save: COUNT events
    await expect.poll(() => rows.filter({ hasText: 'cancelled' }).count(), WAIT).toBe(COUNT);
    const redraws = await page.evaluate<number>('window.redraws');
    expect(redraws).toBeGreaterThanOrEqual(1);
    expect(redraws).toBeLessThanOrEqual(5);
  });
});
