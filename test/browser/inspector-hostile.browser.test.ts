/**
 * The inspector page under a careful user's or a hostile sender's hand, in headless Chromium, over
 * an in-memory feed the test changes at will: a body far larger than the preview, a delivery
 * that changes while it is open, a listener that stops while the page is open, and buttons
 * clicked twice fast. Skipped (with a printed reason) when /usr/bin/chromium is not installed.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInspector, type Inspector } from '../../steps/lib/inspector/inspector.ts';
import { BODY_PREVIEW_BYTES } from '../../steps/lib/inspector/view.ts';
import { checkRetry, type DeliveryView, feedSource, type RetryResult } from '../../steps/lib/delivery/index.ts';
import { deliveryView, fakeFeed, type FakeFeed } from '../inspector/fake-feed.ts';
import { launchChromium, skipBrowserTests, warnIfNoChromium } from '../helpers/chromium.ts';

/** A promise the test settles when it chooses: `wait` resolves once `open()` is called. */
function gate(): { readonly wait: Promise<void>; readonly open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

warnIfNoChromium('the inspector hostile-pass browser test');

const WAIT = { timeout: 10_000, interval: 50 };

describe.skipIf(skipBrowserTests)('the inspector page, pushed, in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const opened: Inspector[] = [];

  /** The inspector over `feed`, with Retry now when `retryNow` is given, and the page open on it. */
  async function openPage(feed: FakeFeed, retryNow?: (id: string) => Promise<RetryResult>): Promise<Inspector> {
    const replayUrl = 'http://127.0.0.1:9/webhooks';
    const inspector = await (retryNow === undefined
      ? startInspector({ port: 0, feed, replayUrl })
      : startInspector({ port: 0, store: { ...feedSource(feed), retryNow }, replayUrl }));
    opened.push(inspector);
    await page.goto(inspector.url);
    return inspector;
  }
  /** `openPage`, once the page follows the live events. */
  async function inspect(feed: FakeFeed, retryNow?: (id: string) => Promise<RetryResult>): Promise<Inspector> {
    const inspector = await openPage(feed, retryNow);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor(WAIT);
    return inspector;
  }
  const rows = () => page.locator('#deliveries tbody tr.delivery');
  /** Once `request` has finished, the turn after it: the page reads and draws its answer there. */
  async function settled(request: Promise<unknown>): Promise<void> {
    await request;
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
  }

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((inspector) => inspector.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the start of a body larger than the preview, says how much, and downloads every byte', async () => {
    const body = Buffer.alloc(BODY_PREVIEW_BYTES + 5, 0xfe); // just over 1 MiB, not UTF-8
    const view = deliveryView({ body });
    await inspect(fakeFeed([view]));
    await rows().first().click();
    await expect
      .poll(() => page.locator('#body-kind').textContent(), WAIT)
      .toBe('(not UTF-8, 1,048,581 bytes (1.0 MiB): hex, then base64; only the first 1,048,576 bytes (1.0 MiB) shown, Download has them all)');
    // The page holds the preview only: 4 KiB of hex and 1 MiB in base64.
    const shown = (await page.locator('#body').textContent()) ?? '';
    expect(Buffer.from(shown.slice(shown.indexOf('base64:\n') + 8), 'base64').length).toBe(BODY_PREVIEW_BYTES);
    const link = page.getByRole('link', { name: 'Download' });
    expect(await link.getAttribute('href')).toBe(`/api/deliveries/${view.id}/body`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`delivery-${view.id}.bin`);
    expect((await readFile((await download.path()) ?? '')).equals(body)).toBe(true);
    await download.delete();
  });

  it('shows a JSON body too deep to lay out as sent, in Pretty and in Raw alike (sent once)', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    await inspect(fakeFeed([deliveryView({ body: deep })]));
    await rows().first().click();
    await expect.poll(() => page.locator('#body-kind').textContent(), WAIT).toBe('(JSON, 10,000 bytes; not pretty-printed: nested more than 64 levels deep)');
    expect(await page.locator('#body').textContent()).toBe(deep);
    await page.getByRole('button', { name: 'Raw' }).click();
    expect(await page.locator('#body').textContent()).toBe(deep);
    await page.getByRole('button', { name: 'Pretty' }).click();
  });

  // Two clicks before the first answer came sent two replays (two duplicates recorded, and with
  // forwarding two more copies to the user's app); Retry now twice showed the second click's 409
  // not_retryable in place of the first one's "Queued".
  it('sends one replay and one Retry now for a double click', async () => {
    const dead = deliveryView({ handler: 'dead', handlerError: 'boom' });
    const feed = fakeFeed([dead]);
    const retries: string[] = [];
    await inspect(feed, async (id) => {
      retries.push(id);
      const checked = checkRetry(
        id,
        feed.list().find((v) => v.id === id),
      );
      if (!checked.ok) return checked;
      const queued: DeliveryView = { ...checked.view, handler: 'pending', handlerError: undefined };
      feed.publish(queued);
      return { ok: true, delivery: queued };
    });
    let replays = 0;
    await page.route('**/replay', async (route) => {
      replays++;
      await route.fulfill({ json: { url: 'http://127.0.0.1:9/webhooks', status: 200, body: 'ok', bodyTruncated: false } });
    });
    await rows().first().click();
    await page.getByRole('button', { name: 'Replay' }).dblclick();
    await page.locator('#replay-result').getByText('Replayed to').waitFor(WAIT);
    await page.unroute('**/replay');
    expect(replays).toBe(1);

    await page.getByRole('button', { name: 'Retry now' }).dblclick();
    await page.locator('#replay-result').getByText('Queued: the handler runs again now').waitFor(WAIT);
    await expect.poll(() => page.locator('#facts').innerText(), WAIT).toContain('Handler\nqueued');
    expect(retries).toEqual([dead.id]);
    expect(await page.locator('#replay-result').innerText()).toBe('Queued: the handler runs again now (handler: queued).');
  });

  // Every redraw of the list (an Enter on a row, any live delivery) replaced the rows, and the
  // focused one with them: focus fell back to the page, and a keyboard user lost their place.
  it('keeps the keyboard focus on its row when Enter opens it and when live deliveries arrive', async () => {
    const [older, newer] = [deliveryView({ receivedAt: '2026-01-01T00:00:00.000Z' }), deliveryView({ receivedAt: '2026-01-01T00:00:01.000Z' })];
    const feed = fakeFeed([older, newer]);
    await inspect(feed);
    await expect.poll(() => rows().count(), WAIT).toBe(2);
    // The id of the focused row; none when the focus fell to the page.
    const focusedId = () =>
      page
        .locator('#deliveries tr.delivery:focus')
        .evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { id: string } }).dataset.id))
        .then((ids) => ids[0] ?? 'none');
    await rows().last().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#detail-title').isVisible(), WAIT).toBe(true);
    await expect.poll(() => page.locator('#deliveries tr[aria-selected="true"]').getAttribute('data-id'), WAIT).toBe(older.id);
    expect(await focusedId()).toBe(older.id);
    feed.publish(deliveryView({ receivedAt: '2026-01-01T00:00:02.000Z' }));
    await expect.poll(() => rows().count(), WAIT).toBe(3);
    expect(await focusedId()).toBe(older.id);
    // Shift+Tab goes on from there, to the row above: the newer one (the list is newest first).
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
    expect(await focusedId()).toBe(newer.id);
  });

  // An open delivery is fetched again at each change (pending, running, done...). Two fetches of it
  // can come back in either order: the older answer, arriving last, showed a state long gone
  // ("running…" for a delivery that was done) until the next change.
  it('shows the latest state of an open delivery that changes, whatever order the answers come in', async () => {
    const view = deliveryView({ handler: 'pending' });
    const feed = fakeFeed([view]);
    await inspect(feed);
    await rows().first().click();
    await expect.poll(() => page.locator('#facts').innerText(), WAIT).toContain('Handler\nqueued');
    const [held, fetched] = [gate(), gate()];
    let seen = 0;
    await page.route(`**/api/deliveries/${view.id}`, async (route) => {
      if (++seen > 1) return route.continue();
      // The first refetch gets its answer (running) now, and delivers it after the second one's (done).
      const response = await route.fetch();
      fetched.open();
      await held.wait;
      await route.fulfill({ response });
    });
    feed.publish({ ...view, handler: 'running' });
    await fetched.wait;
    feed.publish({ ...view, handler: 'done' });
    await expect.poll(() => page.locator('#facts').innerText(), WAIT).toContain('Handler\nran');
    const lateAnswer = page.waitForEvent('requestfinished', (request) => request.url().endsWith(`/api/deliveries/${view.id}`));
    held.open();
    await settled(lateAnswer);
    await page.unroute(`**/api/deliveries/${view.id}`);
    expect(await page.locator('#facts').innerText()).toContain('Handler\nran');
  });

  // Step 3 stopped (Ctrl+C, a crash): the status said "reconnecting…" and no more, and a row
  // clicked then did nothing at all, its "Failed to fetch" put in the detail pane, which was hidden.
  it('says the inspector stopped, and what to do, when it stops while the page is open', async () => {
    const inspector = await inspect(fakeFeed([deliveryView()]));
    await expect.poll(() => rows().count(), WAIT).toBe(1);
    opened.splice(opened.indexOf(inspector), 1);
    await inspector.close();
    await expect
      .poll(() => page.locator('#connection').textContent(), WAIT)
      .toBe('disconnected: is step 3 (or npm run inspector) still running? Trying again…');
    await rows().first().click();
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.filter({ visible: true }).textContent(), WAIT)
      .toBe('The inspector is not answering: is step 3 (or npm run inspector) still running? Once it runs again, this page reconnects by itself.');
  });

  // An event stream refused for good (another program answering on the port): EventSource gives up,
  // and "reconnecting…" was then a promise nothing kept.
  it('says to reload when the event stream is refused for good', async () => {
    await page.route('**/api/events', (route) => route.fulfill({ status: 404, body: 'no' }));
    await openPage(fakeFeed());
    await expect.poll(() => page.locator('#connection').textContent(), WAIT).toBe('disconnected: reload the page once the inspector runs again');
    await page.unroute('**/api/events');
  });

  // A sender picks the URL: one long word (`/webhooks?aaaa…`, as long as Node's header limit allows)
  // made the detail's title as wide as itself and pushed Replay and Retry now off the screen.
  it('keeps Replay on screen for a delivery with a very long URL, and its rows within the list', async () => {
    const url = `/webhooks?${'a'.repeat(8000)}`;
    const username = 'u'.repeat(3000);
    await inspect(fakeFeed([deliveryView({ url, body: JSON.stringify({ eventname: 'User_Create', userkey: 1, username }) })]));
    await rows().first().click();
    await expect.poll(() => page.locator('#detail-title').textContent(), WAIT).toBe(`POST ${url}`);
    const viewport = page.viewportSize()?.width ?? 0;
    const replay = await page.getByRole('button', { name: 'Replay' }).boundingBox();
    expect({ replayEnd: Math.min(viewport, (replay?.x ?? 0) + (replay?.width ?? Number.POSITIVE_INFINITY)) }).toEqual({
      replayEnd: (replay?.x ?? 0) + (replay?.width ?? 0),
    });
    // The list's table no wider than its column, whatever the key fields say.
    const [list, table] = [await page.locator('section.list').boundingBox(), await page.locator('#deliveries').boundingBox()];
    expect({ table: Math.min(table?.width ?? 0, list?.width ?? 0) }).toEqual({ table: table?.width });
  });

  // A filter click reloads the list. A delivery that changed while that list was on its way came
  // live first, then the list's older row for it was put back over it ("queued" for one long done).
  it('keeps a live change over an older list that arrives after it', async () => {
    const view = deliveryView({ handler: 'pending' });
    const feed = fakeFeed([view]);
    await inspect(feed);
    await expect.poll(() => rows().first().innerText(), WAIT).toMatch(/queued$/);
    const [held, fetched] = [gate(), gate()];
    await page.route('**/api/deliveries?*', async (route) => {
      const response = await route.fetch();
      fetched.open();
      await held.wait;
      await route.fulfill({ response });
    });
    await page.getByLabel('Valid', { exact: true }).check();
    await fetched.wait;
    feed.publish({ ...view, handler: 'done' });
    await expect.poll(() => rows().first().innerText(), WAIT).toMatch(/ran$/);
    const lateList = page.waitForEvent('requestfinished', (request) => new URL(request.url()).pathname === '/api/deliveries');
    held.open();
    await settled(lateList);
    await page.unroute('**/api/deliveries?*');
    expect(await rows().first().innerText()).toMatch(/ran$/);
  });

  // The answer to Replay or Retry now came after the user had opened another delivery: it was shown
  // under that one, as if about it, and Retry now's answer even switched the page back to the first.
  it('keeps an action’s late answer off the delivery opened since', async () => {
    const dead = deliveryView({ handler: 'dead', handlerError: 'boom', receivedAt: '2026-01-01T00:00:00.000Z' });
    const other = deliveryView({ receivedAt: '2026-01-01T00:00:01.000Z' });
    const feed = fakeFeed([dead, other]);
    const held = gate();
    await inspect(feed, async (id) => {
      await held.wait;
      const queued: DeliveryView = { ...dead, handler: 'pending', handlerError: undefined };
      feed.publish(queued);
      return { ok: true, delivery: { ...queued, id } };
    });
    await rows().last().click();
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('#replay-result').getByText('Queueing the handler again…').waitFor(WAIT);
    await rows().first().click();
    await expect.poll(() => page.locator('#deliveries tr[aria-selected="true"]').getAttribute('data-id'), WAIT).toBe(other.id);
    const answered = page.waitForEvent('requestfinished', (request) => request.url().endsWith('/retry'));
    held.open();
    await settled(answered);
    expect(await page.locator('#deliveries tr[aria-selected="true"]').getAttribute('data-id')).toBe(other.id);
    expect(await page.locator('#replay-result').isHidden()).toBe(true);
    await expect.poll(() => rows().last().innerText(), WAIT).toMatch(/queued$/);

    // Replay on this one, then the first opened again before its answer comes.
    const replayed = gate();
    await page.route('**/replay', async (route) => {
      await replayed.wait;
      await route.fulfill({ json: { url: 'http://127.0.0.1:9/webhooks', status: 200, body: 'ok', bodyTruncated: false } });
    });
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.locator('#replay-result').getByText('Replaying…').waitFor(WAIT);
    await rows().last().click();
    await expect.poll(() => page.locator('#deliveries tr[aria-selected="true"]').getAttribute('data-id'), WAIT).toBe(dead.id);
    const replayAnswered = page.waitForEvent('requestfinished', (request) => request.url().endsWith('/replay'));
    replayed.open();
    await settled(replayAnswered);
    await page.unroute('**/replay');
    expect(await page.locator('#replay-result').isHidden()).toBe(true);
  });
});
