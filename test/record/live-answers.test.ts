/**
 * Issue 13: what a recording keeps of answers the sandbox never gives but a real Bracken (a .NET
 * API behind a web server) may: compressed bodies, credentials in URLs. Each test records calls
 * to a stand-in on loopback under the recorder, as a step's run does, and reads the files written:
 * no planted secret may be in them, in any form, and what is kept must still replay.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { type Recording, readRecording, recordRun } from '../../steps/lib/record/index.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { loopbackBrackenEnv } from '../helpers/loopback-bracken.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const TOKEN = 'planted-access-token-4b8e2f6a9c1d';

/** A stand-in for Bracken on loopback that answers every request with `answer`. */
async function standIn(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  onCleanup(() => server.closeAllConnections());
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

/** Records `run` (the calls it makes with fetch) as a step's run would be, and returns the recording and every written byte. */
async function record(url: string, run: () => Promise<void>): Promise<{ recording: Recording; written: string }> {
  const root = await tempDir('recordings');
  const stateDir = await tempDir('record-state');
  const config = loadConfig({ env: loopbackBrackenEnv(url, stateDir) });
  const options = {
    name: 'answers',
    root,
    source: 'step:1',
    command: 'RECORD=answers npm run step:1',
    mode: 'replace',
    deliveries: 'none',
    log: () => {},
  } as const;
  await recordRun(options, config, async () => ({ value: await run(), ok: true }));
  const dir = join(root, 'answers');
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  const texts = await Promise.all(files.map((entry) => readFile(join(entry.parentPath, entry.name), 'latin1')));
  return { recording: await readRecording(dir), written: texts.join('\n') };
}

it('a compressed answer (Content-Encoding: gzip) is kept decoded, with its token replaced, not as the compressed bytes', async () => {
  const url = await standIn((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip' });
    response.end(gzipSync(JSON.stringify({ access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 })));
  });
  const { recording, written } = await record(url, async () => {
    const answer = await fetch(`${url}/connect/token`, { method: 'POST' });
    expect(await answer.json()).toMatchObject({ access_token: TOKEN });
  });
  const [call] = recording.calls;
  expect(call?.response).toEqual({ access_token: 'recorded-access-token-1', token_type: 'Bearer', expires_in: 3600 });
  expect(call?.responseIsBinary).toBe(false);
  // The body is kept decoded, so the header that said it was compressed goes too.
  expect(call?.rawHeaders).not.toHaveProperty('content-encoding');
  expect(written).not.toContain(TOKEN);
  expect(written).not.toContain(gzipSync(TOKEN).toString('hex').slice(20, 40));
});

it('a form-encoded answer (access_token=...&token_type=bearer) has its fields replaced as a form request body does', async () => {
  const url = await standIn((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
    response.end(`access_token=${TOKEN}&token_type=bearer&scope=api`);
  });
  const { recording, written } = await record(url, async () => {
    await (await fetch(`${url}/connect/token`, { method: 'POST' })).text();
  });
  expect(recording.calls[0]?.response).toBe('access_token=recorded-access-token-1&token_type=bearer&scope=api');
  expect(written).not.toContain(TOKEN);
});
