/**
 * The inspector page while deliveries pour in (anyone can send to the tunnel): it keeps the newest
 * 1000, as many as the list API sends, and draws the list once per frame, not once per event.
 * Before, each live delivery was kept for as long as the page stayed open and the whole list was
 * sorted and rebuilt for each one, so a flood grew the page without bound and froze it.
 * Skipped (with a printed reason) when /usr/bin/chromium is not installed.
 */
import { describe, expect, it } from 'vitest';
import { startInspector } from '../../steps/lib/inspector/inspector.ts';
import { launchChromium, skipBrowserTests, warnIfNoChromium } from '../helpers/chromium.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { deliveryView, fakeFeed } from '../inspector/fake-feed.ts';

warnIfNoChromium('the inspector flood browser test');

const WAIT = { timeout: 20_000, interval: 100 };

describe.skipIf(skipBrowserTests)('the inspector page under a flood of live deliveries, in Chromium', () => {
  it('shows the newest 1000, newest first, however many arrive while it is open', async () => {
    const feed = fakeFeed();
    const inspector = await startInspector({ port: 0, feed, replayUrl: 'http://127.0.0.1:9/webhooks' });
    onCleanup(() => inspector.close());
    const browser = await launchChromium();
    onCleanup(() => browser.close());
    const page = await browser.newPage();
    await page.goto(inspector.url);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor(WAIT);
    await expect.poll(() => page.locator('#empty').innerText(), WAIT).toMatch(/^No deliveries yet/);

    const views = Array.from({ length: 1500 }, () => deliveryView());
    for (const view of views) feed.publish(view);
    const rows = page.locator('#deliveries tbody tr.delivery');
    await expect.poll(() => rows.first().getAttribute('data-id'), WAIT).toBe(views.at(-1)?.id);
    expect(await rows.count()).toBe(1000);
    expect(await rows.last().getAttribute('data-id')).toBe(views.at(-1000)?.id);
  });
});
