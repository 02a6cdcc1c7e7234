/**
 * The inspector's answers, in headless Chromium (issue 12 item 4): a listener that forwards to the
 * tutorial's receiver (LISTEN_FORWARD_TO), as step 3 runs it. The page says "Loading" until the
 * first list arrives, hints at picking a delivery, shows the listener's answer (status, headers,
 * the exact body the sender got) and the app's (each try, its status, headers and body), the
 * request body re-indented or exactly as received (Raw), and a refusal's diagnosis in a row of
 * its own. It takes the README's screenshots of the list and of a detail; they are written to
 * test/fixtures/screenshots/ only with UPDATE_SCREENSHOTS=1, so an ordinary run changes nothing.
 * Skipped (with a printed reason) when /usr/bin/chromium is not installed.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../steps/lib/core/config.ts';
import { startForwardingListener, type ForwardingListener } from '../forward/helpers.ts';
import { launchChromium, skipBrowserTests, warnIfNoChromium } from '../helpers/chromium.ts';
import { type Answer, SECRET, send, signed } from '../helpers/listener.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startTutorialReceiver, type TutorialReceiver } from '../helpers/tutorial-receiver.ts';

warnIfNoChromium('the inspector answers browser test');

const WAIT = { timeout: 10_000, interval: 50 };
const SCREENSHOTS = join(PROJECT_ROOT, 'test/fixtures/screenshots');
// Compact, as the sandbox sends it (the tutorial receiver re-serializes the body to check the
// signature, so it must be what JSON.stringify writes); the pretty view re-lays it out.
const RAW_BODY = '{"eventname":"User_Create","domainkey":15435,"userkey":1042,"username":"Renee-Dupont","timestamp":"2026-05-04T09:30:00Z"}';
const PRETTY_BODY = [
  '{',
  '  "eventname": "User_Create",',
  '  "domainkey": 15435,',
  '  "userkey": 1042,',
  '  "username": "Renee-Dupont",',
  '  "timestamp": "2026-05-04T09:30:00Z"',
  '}',
].join('\n');

describe.skipIf(skipBrowserTests)('the inspector shows the answers, in Chromium', () => {
  let receiver: TutorialReceiver;
  let forwarding: ForwardingListener;
  let browser: Browser;
  let page: Page;
  let shots: string;
  let answer: Answer;

  const rows = () => page.locator('#deliveries tbody tr.delivery');
  const cells = (table: string) =>
    page
      .locator(`${table} tbody tr`)
      .evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { cells: ArrayLike<{ textContent: string }> }).cells, (cell) => cell.textContent)));

  beforeAll(async () => {
    shots = await tempDir('screenshots');
    receiver = await startTutorialReceiver({ secret: SECRET });
    forwarding = await startForwardingListener(receiver.url, { retryLimit: 2, retryDelayMs: 100, timeoutMs: 5000 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('says "Loading deliveries…" until the first list arrives, then hints at picking a delivery', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // Hold the first list request: what the page shows meanwhile is the loading state, not "No deliveries yet".
    await page.route('**/api/deliveries?*', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(forwarding.inspector.url);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor(WAIT);
    expect(await page.locator('#empty').innerText()).toBe('Loading deliveries…');
    release();
    await expect.poll(() => page.locator('#empty').innerText(), WAIT).toBe('No deliveries yet. They appear here live as the listener receives them.');
    await page.unroute('**/api/deliveries?*');
    expect(await page.locator('#detail-hint').isVisible()).toBe(true);
    expect(await page.locator('#detail-body').isHidden()).toBe(true);
    expect(await page.locator('#forward-to').textContent()).toBe(receiver.url);
  });

  it('lists a forwarded delivery with the app’s status, and a refused one with its diagnosis below the row', async () => {
    const delivery = signed(RAW_BODY);
    answer = await send(forwarding.listener.url, { body: delivery.body, headers: delivery.headers });
    expect(answer.status).toBe(200);
    const forged = await send(forwarding.listener.url, {
      body: delivery.body,
      headers: { ...delivery.headers, authorization: `HMACSHA256 ${'A'.repeat(43)}=` },
    });
    expect(forged.status).toBe(401);
    await forwarding.listener.idle();

    await expect.poll(() => rows().count(), WAIT).toBe(2);
    await expect.poll(() => rows().last().innerText(), WAIT).toMatch(/User_Create\s+userkey 1042.*valid\s+200\s+[\d.]+ ms\s+forwarded: 200$/s);
    expect(await page.locator('#deliveries tbody tr.diagnosis').innerText()).toMatch(/^signature_mismatch: The signature does not match/);
    await page.screenshot({ path: join(shots, 'inspector-list.png'), fullPage: true });
  });

  it('shows the listener’s answer and the app’s, and the body pretty or exactly as received', async () => {
    await rows().last().click();
    await page.locator('#detail-body').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('#detail-hint').isHidden()).toBe(true);

    // The listener's answer: what the sender got, byte for byte.
    expect(await page.locator('#response-status').textContent()).toMatch(/^\(200, /);
    expect(await cells('#response-headers')).toEqual([
      ['content-type', 'application/json; charset=utf-8'],
      ['content-length', String(Buffer.byteLength(answer.text))],
    ]);
    expect(await page.locator('#response-body').textContent()).toBe(answer.text);

    // The app's answer: the tutorial receiver verified the forwarded delivery itself.
    expect(await page.locator('#forward').isVisible()).toBe(true);
    expect(await page.locator('#forward-summary').textContent()).toBe('(1 try)');
    expect(await cells('#forward-attempts')).toEqual([
      ['1', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/), '200', expect.stringMatching(/^\d+ ms$/)],
    ]);
    expect(await page.locator('#forward-last').textContent()).toMatch(new RegExp(`^Try 1 to ${receiver.url}: your app answered 200 in \\d+ ms\\.$`));
    expect(await cells('#forward-headers')).toContainEqual(['x-powered-by', 'Express']);
    expect(await page.locator('#forward-body').textContent()).toBe('OK the signatures match');

    // Pretty first; Raw is the text exactly as received, on one line as it came.
    expect(await page.locator('#view-pretty').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#body').textContent()).toBe(PRETTY_BODY);
    await page.screenshot({ path: join(shots, 'inspector-detail.png'), fullPage: true });
    await page.getByRole('button', { name: 'Raw' }).click();
    expect(await page.locator('#view-raw').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#body').textContent()).toBe(RAW_BODY);
    await page.getByRole('button', { name: 'Pretty' }).click();
    expect(await page.locator('#body').textContent()).toBe(PRETTY_BODY);
  });

  it('took the two screenshots, and writes them for the README only with UPDATE_SCREENSHOTS=1', async () => {
    for (const name of ['inspector-list.png', 'inspector-detail.png']) {
      const png = await readFile(join(shots, name));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(1400); // the viewport's width
      if (process.env.UPDATE_SCREENSHOTS === '1') await copyFile(join(shots, name), join(SCREENSHOTS, name));
    }
  });
});
