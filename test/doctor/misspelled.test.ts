/**
 * misspelledNames: a name the workbench does not read, one or two keystrokes from one it does, is
 * named with the likely variable; the list of names comes from watching loadConfig() read them.
 */
import { expect, test } from 'vitest';
import { misspelledNames } from '../../scripts/doctor/misspelled.ts';
import { configVariableNames } from '../../steps/lib/core/config.ts';

const known = configVariableNames();

test('the names loadConfig reads, against the sandbox and live, include the live-only ones', () => {
  expect(known).toEqual(expect.arrayContaining(['LISTEN_PORT', 'BRACKEN_CLIENT_SECRET', 'BRACKEN_DOMAINKEY', 'SANDBOX_PORT', 'WORKBENCH_STATE_DIR']));
  expect(known).not.toContain('PATH');
});

test('a swap, a dropped or doubled letter, or the wrong case: each named with the likely variable; exact names and far ones are not', () => {
  const names = ['LISTEN_PROT', 'SANBOX_PORT', 'WEBHOOK_TARGETT', 'listen_host', 'LISTEN_PORT', 'STRIPE_KEY', 'X'];
  expect(misspelledNames(names, {}, known)).toEqual([
    { name: 'LISTEN_PROT', likely: 'LISTEN_PORT', from: 'env-file' },
    { name: 'SANBOX_PORT', likely: 'SANDBOX_PORT', from: 'env-file' },
    { name: 'WEBHOOK_TARGETT', likely: 'WEBHOOK_TARGET', from: 'env-file' },
    { name: 'listen_host', likely: 'LISTEN_HOST', from: 'env-file' },
  ]);
});

test('in the environment only names that look like the workbench’s are checked, and one in both is named once', () => {
  expect(misspelledNames(['LISTEN_PROT'], { LISTEN_PROT: '1', NGROK_DOMIAN: 'x', HOME: '/root', PWD: '/' }, known)).toEqual([
    { name: 'LISTEN_PROT', likely: 'LISTEN_PORT', from: 'env-file' },
    { name: 'NGROK_DOMIAN', likely: 'NGROK_DOMAIN', from: 'environment' },
  ]);
});
