/**
 * The inspector driven as a person would, in headless Chromium, against the real listener and
 * journal: a signed delivery appears live, opens with its signature shortened and its body
 * pretty-printed, replays as a duplicate, the verdict filter narrows the list, and a delivery
 * whose handler died is found with the handler filter and run again with Retry now.
 * Skipped (with a printed reason) when /usr/bin/chromium is not installed.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInspector, type Inspector } from '../../steps/lib/inspector/inspector.ts';
import { openJournal, type Journal } from '../../steps/lib/journal/journal.ts';
import { startListener, type RunningListener } from '../../steps/lib/listener/listener.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { launchChromium, skipBrowserTests, warnIfNoChromium } from '../helpers/chromium.ts';
import { fileStore } from '../../steps/lib/store/file/file-store.ts';
import { tempDir } from '../helpers/temp-dir.ts';

warnIfNoChromium('the inspector browser test');

const SECRET = 's3cret';
const WAIT = { timeout: 10_000, interval: 50 };
// A hostile header and body: the page must show them as text, never run or render them.
const HOSTILE_HEADER = '<img src=x onerror="window.pwned=1">';
const BODY = '{"eventname":"user_create","domainkey":15435,"user":{"userkey":7,"username":"<script>window.pwned=2</script>"}}';
const PRETTY_BODY = [
  '{',
  '  "eventname": "user_create",',
  '  "domainkey": 15435,',
  '  "user": {',
  '    "userkey": 7,',
  '    "username": "<script>window.pwned=2</script>"',
  '  }',
  '}',
].join('\n');

describe.skipIf(skipBrowserTests)('inspector page in Chromium', () => {
  let journal: Journal;
  let listener: RunningListener;
  let inspector: Inspector;
  let browser: Browser;
  let page: Page;
  const handled: string[] = [];
  let failNext = false;
  const signature = bracken.sign({ body: Buffer.from(BODY), secret: SECRET }).authorization ?? '';

  // A delivery's row; a refused one has its diagnosis in a row of its own below (tr.diagnosis).
  const rows = () => page.locator('#deliveries tbody tr.delivery');
  const rowTexts = () => rows().evaluateAll((trs) => trs.map((tr) => (tr as { innerText: string }).innerText.replace(/\s+/g, ' ').trim()));
  const post = (headers: Record<string, string>, body: string) => fetch(listener.url, { method: 'POST', headers, body });

  beforeAll(async () => {
    const dir = await tempDir('browser');
    journal = await openJournal({ dir: join(dir, 'journal'), maxBytes: 1024 * 1024, keepFiles: 2 });
    const store = fileStore(journal);
    listener = await startListener({
      host: '127.0.0.1',
      port: 0,
      scheme: bracken,
      secrets: () => [SECRET],
      bodyLimitBytes: 1024 * 1024,
      requestTimeoutMs: 10_000,
      // As step 3 does: the inspector reads the store the listener writes (which has Retry now).
      store,
      handler: (delivery) => {
        if (failNext) throw new Error('the handler is broken');
        handled.push(delivery.id);
      },
      // No retries: the first failure makes the delivery dead at once.
      retry: { retryLimit: 0, retryDelayMs: 0, timeoutMs: 5000 },
    });
    inspector = await startInspector({ port: 0, store, replayUrl: listener.url });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await inspector?.close();
    await listener?.close();
    await journal?.close();
  });

  it('shows a signed delivery live, as soon as the listener answers it', async () => {
    // Count the page's list requests: the delivery must arrive through the event stream, not a reload.
    const listRequests: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/deliveries') listRequests.push(request.url());
    });
    const firstList = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/deliveries');
    await page.goto(inspector.url);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    expect((await firstList).status()).toBe(200);
    expect(await page.locator('#empty').innerText()).toBe('No deliveries yet. They appear here live as the listener receives them.');
    // Nothing picked yet: the detail pane says what to do instead of staying blank.
    expect(await page.locator('#detail-hint').innerText()).toBe(
      "Select a delivery to see its request, the listener's answer and, when it forwards, your app's.",
    );

    const response = await post({ 'content-type': 'application/json', authorization: signature, 'x-note': HOSTILE_HEADER }, BODY);
    expect(response.status).toBe(200);
    await response.text();
    await listener.idle();

    await expect.poll(rowTexts, WAIT).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} user_create valid 200 [\d.]+ ms ran$/)]);
    expect(listRequests).toEqual([`${inspector.url}/api/deliveries?verdict=all`]);
  });

  it('opens the delivery: headers with the signature shortened, the body pretty-printed, the handler ran', async () => {
    await rows().first().click();
    await page.locator('#headers tbody tr').first().waitFor();
    const headers = await page
      .locator('#headers tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { cells: ArrayLike<{ textContent: string }> }).cells, (cell) => cell.textContent)));
    const base64 = signature.split(' ')[1] ?? '';
    expect(headers).toContainEqual(['authorization', `HMACSHA256 ${base64.slice(0, 4)}…(44 chars)`]);
    expect(headers).toContainEqual(['x-note', HOSTILE_HEADER]);
    expect(await page.content()).not.toContain(base64);
    expect(await page.locator('#body').textContent()).toBe(PRETTY_BODY);
    expect(await page.locator('#facts').innerText()).toContain('Handler\nran');
    // The hostile header and body were shown as text: nothing rendered, nothing ran.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    expect(handled).toHaveLength(1);
  });

  it('replays the exact request: the listener answers 200, records a duplicate, and the handler does not run again', async () => {
    await page.getByRole('button', { name: 'Replay' }).click();
    const result = page.locator('#replay-result');
    await result.getByText('Recorded as a new delivery').waitFor(WAIT);

    const newest = listener.feed.list()[0];
    const original = listener.feed.list()[1];
    expect(listener.feed.list()).toHaveLength(2);
    expect(newest?.body.equals(Buffer.from(BODY))).toBe(true);
    expect(newest?.headers.find(([name]) => name === 'authorization')?.[1]).toBe(signature);
    expect(newest?.handler).toBe('duplicate');
    expect(await result.locator('p').first().textContent()).toBe(`Replayed to ${listener.url}: the listener answered 200.`);
    expect(await result.locator('pre').textContent()).toBe(JSON.stringify({ received: true, id: newest?.id, duplicate: true }));
    expect(await result.innerText()).toContain('Same bytes as before, so the listener did not run the handler again.');
    await expect.poll(rowTexts, WAIT).toEqual([expect.stringMatching(/ valid .+ skipped: duplicate$/), expect.stringMatching(/ valid .+ ran$/)]);
    expect(handled).toEqual([original?.id]);
  });

  it('filters the list by verdict', async () => {
    const forged = await post({ 'content-type': 'application/json', authorization: `HMACSHA256 ${'A'.repeat(43)}=` }, BODY);
    expect(forged.status).toBe(401);
    await forged.text();
    await expect.poll(() => rows().count(), WAIT).toBe(3);

    await page.getByLabel('Invalid').check();
    await expect.poll(rowTexts, WAIT).toEqual([expect.stringMatching(/^\S+ \S+ — invalid 401 [\d.]+ ms not run$/)]);
    // The diagnosis wraps in a row of its own under the delivery, as wide as the table.
    const diagnosis = page.locator('#deliveries tbody tr.diagnosis td');
    expect(await diagnosis.innerText()).toMatch(/^signature_mismatch: The signature does not match/);
    expect(await diagnosis.getAttribute('colspan')).toBe('6');
    await rows().first().click();
    await expect.poll(() => page.locator('#facts').innerText(), WAIT).toMatch(/Verdict\ninvalid \(signature_mismatch\): The signature does not match/);
    expect(await page.locator('#replay-result').isHidden()).toBe(true); // the last replay's result belonged to another delivery
    await page.getByLabel('Valid', { exact: true }).check();
    await expect.poll(() => rows().count(), WAIT).toBe(2);
    await page.getByLabel('Rejected').check();
    await expect.poll(() => rows().count(), WAIT).toBe(0);
    expect(await page.locator('#empty').innerText()).toBe('No rejected deliveries.');

    const lost = await fetch(`${listener.origin}/not-here`, { method: 'POST', body: 'x' });
    expect(lost.status).toBe(404);
    await lost.text();
    await expect.poll(rowTexts, WAIT).toEqual([expect.stringMatching(/^\S+ \S+ — rejected 404 [\d.]+ ms not run$/)]);
    await page.getByLabel('All').check();
    await expect.poll(() => rows().count(), WAIT).toBe(4);
  });

  it('finds a dead delivery with the handler filter and runs it again with Retry now', async () => {
    await page.getByLabel('All').check();
    failNext = true;
    const body = BODY.replace('"userkey":7', '"userkey":8');
    const dying = await post(
      { 'content-type': 'application/json', authorization: bracken.sign({ body: Buffer.from(body), secret: SECRET }).authorization ?? '' },
      body,
    );
    expect(dying.status).toBe(200);
    const { id } = (await dying.json()) as { id: string };
    await listener.idle();
    await page.locator('#handler-filter').selectOption('dead');
    await expect.poll(rowTexts, WAIT).toEqual([expect.stringMatching(/ valid .+ dead: the handler is broken$/)]);
    await rows().first().click();
    failNext = false;
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('#replay-result').getByText('Queued: the handler runs again now').waitFor(WAIT);
    await expect.poll(() => handled.includes(id), WAIT).toBe(true);
    await page.locator('#handler-filter').selectOption('done');
    await expect.poll(() => rowTexts().then((texts) => texts.length), WAIT).toBe(2);
    expect(await rowTexts()).toEqual([expect.stringMatching(/ valid .+ ran$/), expect.stringMatching(/ valid .+ ran$/)]);
  });

  it('the Handler filter also finds the duplicates and the deliveries whose handler did not run', async () => {
    await page.getByLabel('All').check();
    await page.locator('#handler-filter').selectOption('duplicate');
    await expect.poll(rowTexts, WAIT).toEqual([expect.stringMatching(/ valid 200 .+ skipped: duplicate$/)]);
    await page.locator('#handler-filter').selectOption('not-run');
    await expect.poll(rowTexts, WAIT).toEqual([expect.stringMatching(/ rejected 404 .+ not run$/), expect.stringMatching(/ invalid 401 .+ not run$/)]);
    await page.locator('#handler-filter').selectOption('all');
    await expect.poll(() => rows().count(), WAIT).toBe(5);
  });

  it('the row with the keyboard focus has an outline of its own, not the hover background', async () => {
    // Evaluated in the page (a string: the test's own types have no DOM).
    const look = (n: number) =>
      page.evaluate(`(() => {
        const tr = document.querySelectorAll('#deliveries tbody tr.delivery')[${n}];
        const style = getComputedStyle(tr);
        return { outline: style.outlineStyle + ' ' + style.outlineWidth, background: style.backgroundColor, focused: tr === document.activeElement };
      })()`) as Promise<{ outline: string; background: string; focused: boolean }>;
    await page.locator('#handler-filter').selectOption('all');
    await expect.poll(() => rows().count(), WAIT).toBe(5);
    // The first row is the one opened above (selected); the others are plain.
    const plain = await look(3);
    // Tab twice from the Handler filter: the second row takes the focus; the mouse rests on the third.
    await page.locator('#handler-filter').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await rows().nth(2).hover();
    const focused = await look(1);
    const hovered = await look(2);
    expect(focused.focused).toBe(true);
    expect(focused.outline).toBe('solid 2px');
    expect(hovered.outline).not.toBe(focused.outline);
    expect(hovered.background).not.toBe(plain.background);
    expect(focused.background).toBe(plain.background);
  });
});
