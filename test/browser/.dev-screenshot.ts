import { chromium } from 'playwright-core';
import { startInspector } from '../../steps/lib/inspector.ts';
import { deliveryView, fakeFeed } from '../inspector/fake-feed.ts';

const feed = fakeFeed([
  deliveryView(),
  deliveryView({ verdict: 'invalid', status: 400, code: 'signature_mismatch', reason: 'The signature does not match the body under any configured secret.', handler: 'not-run' }),
  deliveryView({ verdict: 'rejected', status: 404, code: 'not_found', url: '/nope', reason: 'No webhook route at /nope.', handler: 'not-run', event: undefined, headers: [['X-Note', '<img src=x onerror=alert(1)>']] }),
  deliveryView({ handler: 'duplicate' }),
]);
const inspector = await startInspector({ port: 0, feed, replayUrl: 'http://127.0.0.1:9/webhooks' });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
page.on('console', (m) => console.log('console:', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(inspector.url);
await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
await page.locator('#deliveries tbody tr').first().click();
await page.locator('#headers tbody tr').first().waitFor();
await page.screenshot({ path: '/tmp/insp-dev/shot.png' });
await browser.close();
await inspector.close();
