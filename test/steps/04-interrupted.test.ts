/**
 * Ctrl-C while step 4's create request is on its way: Bracken may create the user though step 4
 * never records it, and running step 4 again picks a new name. The step must say which user to
 * look for before it exits. Bracken is a loopback server that takes the request and never answers.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { onCleanup } from '../helpers/cleanup.ts';
import { startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

test('Ctrl-C during the create POST names the user that may now exist in Bracken, records nothing, exit 130', async () => {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push(`${request.method} ${request.url}`);
      if (request.url === '/connect/token') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ access_token: 'tok-step4-interrupted-0123', token_type: 'Bearer', expires_in: 3600 }));
      } // the create gets no answer
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  onCleanup(() => server.closeAllConnections());
  const address = server.address();
  const bracken = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const stateDir = await tempDir('step4');

  const step = startScript('steps/04-create-test-user.ts', {
    env: {
      BRACKEN_CLIENT_ID: 'acme',
      BRACKEN_CLIENT_SECRET: 'acme-secret-0123456789',
      BRACKEN_DOMAINKEY: '12345',
      BRACKEN_IDENTITY_URL: bracken,
      BRACKEN_API_URL: bracken,
      WORKBENCH_STATE_DIR: stateDir,
    },
  });
  const [, username] = await step.waitFor(/User: (Test-User-[0-9a-z]{8}),/, 30_000);
  await until(() => seen.includes('POST /api/user/create/domain/12345'), 30_000);
  step.child.kill('SIGINT');

  expect(await step.exited()).toEqual({ code: 130, signal: null });
  expect(step.stderr()).toBe(
    [
      `SIGINT: stopped while POST ${bracken}/api/user/create/domain/12345 was under way, so Bracken may have created ${username}.`,
      `Next: look for ${username} in Bracken and delete it there before you run step 4 again (it picks a new name).`,
      '',
    ].join('\n'),
  );
  expect(seen).toEqual(['POST /connect/token', 'POST /api/user/create/domain/12345']);
  expect(existsSync(join(stateDir, 'user.json'))).toBe(false);
});
