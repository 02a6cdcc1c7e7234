/**
 * The same command as verify-cli.test.ts, run in-process through `runVerify(argv, io)` (what
 * scripts/verify.ts calls when executed): every bad-argument case, rotation, stdin bytes, and the
 * --sign round trips for the timestamped schemes. Exit codes and output are the user's.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runVerify, USAGE } from '../../scripts/verify.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { VECTORS, vectorBody, type Vector } from '../helpers/vectors.ts';

const GUURU_2 = fileURLToPath(new URL('../fixtures/vectors/guuru/example-2.json', import.meta.url));
const GUURU_2_SIG = 'e3671b73d2c6ef0c0a32cb07db50981ac1eab733632d3915d9a4bebd7454cbeb';
const GITHUB_SECRET = "It's a Secret to Everybody";
const GITHUB_HEADER = 'X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

/** runVerify with `stdin` as a non-terminal stream, collecting what it prints. */
async function verifyCli(args: readonly string[], stdin: string | Buffer = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runVerify(args, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

let dir = '';
let helloFile = '';
beforeAll(async () => {
  dir = await tempDir('run-verify');
  helloFile = join(dir, 'hello.txt');
  await writeFile(helloFile, 'Hello, World!');
});

describe('runVerify', () => {
  it('a body of deeply nested JSON is reported invalid (exit 1), not a crash in the diagnosis', async () => {
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const result = await verifyCli(['--scheme', 'github', '--secret', GITHUB_SECRET, '-H', GITHUB_HEADER], deep);
    expect(result).toEqual({
      code: 1,
      stdout: 'invalid: signature_mismatch: The signature does not match the body under the configured secret.\n',
      stderr: '',
    });
  });

  it('stops reading an endless body at 64 MiB (the largest LISTEN_BODY_LIMIT): --body-file /dev/zero, or a pipe', async () => {
    const args = ['--scheme', 'github', '--secret', GITHUB_SECRET, '-H', GITHUB_HEADER];
    const fromFile = await verifyCli([...args, '--body-file', '/dev/zero']);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr.split('\n')[0]).toBe(
      'Error: --body-file "/dev/zero" holds more than 64 MiB: verify checks one webhook request, and no listener takes a larger body (LISTEN_BODY_LIMIT is at most 64mb). [WORKBENCH_VERIFY_USAGE]',
    );
    const mebibyte = Buffer.alloc(1024 * 1024, 0x61);
    let chunksRead = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          chunksRead += 1;
          yield mebibyte;
        }
      })(),
    );
    let stderr = '';
    const code = await runVerify(args, { stdin: endless, stdout: () => {}, stderr: (text) => (stderr += text) });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Error: stdin holds more than 64 MiB: /);
    expect(chunksRead).toBeLessThan(100); // 64 and what the stream reads ahead, not for ever
  });

  it('reads the body from stdin byte for byte (seed 003 example 2, with UTF-8 "João")', async () => {
    const body = await readFile(GUURU_2);
    const run = await verifyCli(['--scheme', 'guuru', '--secret', 'secr3t', '--header', `X-Guuru-Hmac-Sha256: ${GUURU_2_SIG}`], body);
    expect(run).toEqual({ code: 0, stdout: 'valid\n', stderr: '' });
  });

  it('says which secret matched when it is not the first (rotation)', async () => {
    const run = await verifyCli(['--scheme', 'github', '--secret', 'new-secret', '--secret', GITHUB_SECRET, '-H', GITHUB_HEADER, '--body-file', helloFile]);
    expect(run).toEqual({ code: 0, stdout: 'valid\nmatched --secret #2, not the first one\n', stderr: '' });
  });

  it.each([
    ['no secret', ['--scheme', 'github', '--header', GITHUB_HEADER, '--body-file', '<hello>'], 'give the secret with --secret <secret> (non-empty).'],
    [
      'no body (empty stdin)',
      ['--scheme', 'github', '--secret', 'x', '--header', GITHUB_HEADER],
      'no body: stdin was empty; give --body-file <path> (/dev/null for an empty body).',
    ],
    [
      'malformed --header',
      ['--scheme', 'github', '--secret', 'x', '--header', 'X-Hub-Signature-256 sha256=ab', '--body-file', '<hello>'],
      '--header "X-Hub-Signature-256 sha256=ab" is not "Name: value".',
    ],
    [
      'unreadable --body-file',
      ['--scheme', 'github', '--secret', 'x', '--body-file', '/nonexistent/body.json'],
      'cannot read --body-file "/nonexistent/body.json": ENOENT.',
    ],
    ['unknown option', ['--scheme', 'github', '--secret', 'x', '--sigs', 'y'], "Unknown option '--sigs'"],
    [
      'a repeated --scheme (the last one would silently win)',
      ['--scheme', 'github', '--secret', 'x', '--scheme', 'bracken', '--body-file', '<hello>'],
      '--scheme is given 2 times: give it once (only --secret and --header may repeat).',
    ],
    [
      'a repeated --body-file',
      ['--scheme', 'github', '--secret', 'x', '--body-file', '<hello>', '--body-file=/dev/null'],
      '--body-file is given 2 times: give it once (only --secret and --header may repeat).',
    ],
    [
      'bad --now',
      ['--scheme', 'github', '--secret', 'x', '--now', 'yesterday', '--body-file', '<hello>'],
      '--now "yesterday" is not a whole number of seconds.',
    ],
  ])('exit 2 for %s: "Error: <message> [WORKBENCH_VERIFY_USAGE]", then the usage', async (_name, args, message) => {
    const run = await verifyCli(args.map((arg) => (arg === '<hello>' ? helloFile : arg)));
    expect(run).toEqual({ code: 2, stdout: '', stderr: `Error: ${message} [WORKBENCH_VERIFY_USAGE]\n\n${USAGE}\n` });
  });

  it('exit 2 for a stray argument, which is not echoed: it is often the secret (no --secret, or one with spaces left unquoted)', async () => {
    const run = await verifyCli(['--scheme', 'github', '--secret', "It's", 'a', 'Secret-to-Everybody', '--body-file', helloFile]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'Error: An argument is not the value of an option, and is not shown in case it is a secret: verify takes options only. ' +
        'Quote a value with spaces (--secret "two words"), and put -- right after npm run verify. [WORKBENCH_VERIFY_USAGE]\n\n' +
        `${USAGE}\n`,
    });
  });

  it('--sign with --id and --now reproduces the Standard Webhooks vector; verify needs --now to accept it', async () => {
    const body = '{"test": 2432232314}';
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signed = await verifyCli(
      ['--sign', '--scheme', 'standard-webhooks', '--secret', secret, '--id', 'msg_p5jXN8AQM9LWM0D4loKWxJek', '--now', '1614265330'],
      body,
    );
    expect(signed.stdout).toBe(
      'webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\nwebhook-timestamp: 1614265330\nwebhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n',
    );
    const headers = signed.stdout
      .trim()
      .split('\n')
      .flatMap((line) => ['--header', line]);
    expect(await verifyCli(['--scheme', 'standard-webhooks', '--secret', secret, ...headers, '--now', '1614265330'], body)).toMatchObject({
      code: 0,
      stdout: 'valid\n',
    });
    const late = await verifyCli(['--scheme', 'standard-webhooks', '--secret', secret, ...headers], body);
    expect(late.code).toBe(1);
    expect(late.stdout).toMatch(
      /^invalid: stale_timestamp: The webhook-timestamp is \d+ d \d+ h old, more than the 5 min allowed\.\ndiagnosis: stale_timestamp: .*the signature itself is valid\..*--now 1614265330\.\n$/,
    );
  });

  it('--sign for vonage prints the signed body, which verifies; the query-string form verifies with --url', async () => {
    const signed = await verifyCli(
      ['--sign', '--scheme', 'vonage', '--secret', 'sig-secret', '--now', '1548240699'],
      '{"msisdn":"447700900000","text":"a&b=c"}',
    );
    expect(signed.code).toBe(0);
    const body = JSON.parse(signed.stdout) as Record<string, string>;
    expect(body).toMatchObject({ msisdn: '447700900000', text: 'a&b=c', timestamp: '1548240699', sig: expect.stringMatching(/^[0-9A-F]{64}$/) });
    expect(await verifyCli(['--scheme', 'vonage', '--secret', 'sig-secret', '--now', '1548240699'], signed.stdout)).toMatchObject({
      code: 0,
      stdout: 'valid\n',
    });
    const query = new URLSearchParams({ a: '1', b: '2', timestamp: '1461605396', sig: '6af838ef94998832dbfc29020b564830' }).toString();
    const get = await verifyCli([
      '--scheme',
      'vonage-md5hash',
      '--secret',
      'secret',
      '--url',
      `/webhooks?${query}`,
      '--now',
      '1461605396',
      '--body-file',
      '/dev/null',
    ]);
    expect(get).toEqual({ code: 0, stdout: 'valid\n', stderr: '' });
  });

  it('--sign refuses a secret the scheme cannot use, with exit 2', async () => {
    const run = await verifyCli(['--sign', '--scheme', 'standard-webhooks', '--secret', 'not base64!'], '{}');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Error: "secret" must be a "whsec_<base64>" secret for Standard Webhooks\..* \[WORKBENCH_VERIFY_USAGE\]\n\nUsage:\n/s);
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await verifyCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage:\n {2}npm run verify -- --scheme <name>/);
  });
});

describe('npm run verify over every published vector (test/fixtures/vectors/vectors.json)', () => {
  const vectors = VECTORS;

  /** The command line for a vector, with its body written to a file (one byte changed when `tamper`). */
  async function argsFor(vector: Vector, tamper: boolean): Promise<string[]> {
    const args = ['--scheme', vector.scheme, '--secret', vector.secret];
    for (const [name, value] of Object.entries(vector.headers ?? {})) args.push('--header', `${name}: ${value}`);
    if (vector.now !== undefined) args.push('--now', String(vector.now));
    const params = { ...vector.params };
    if (vector.params !== undefined && tamper) {
      const key = Object.keys(params).find((name) => name !== 'sig' && name !== 'timestamp') ?? 'timestamp';
      params[key] = `${(params[key] ?? '').slice(0, -1)}${params[key]?.endsWith('X') ? 'Y' : 'X'}`;
    }
    if (vector.params !== undefined) args.push('--url', `/webhooks?${new URLSearchParams(params).toString()}`);
    const body = vectorBody(vector);
    if (tamper && vector.params === undefined) body.writeUInt8(body.readUInt8(body.length - 1) ^ 0x01, body.length - 1);
    const file = join(dir, `${vector.id}${tamper ? '-tampered' : ''}.body`);
    await writeFile(file, body);
    return [...args, '--body-file', file];
  }

  it('has vectors to check, the three Guuru pairs of seed 003 first', () => {
    expect(vectors.slice(0, 3).map((v) => v.id)).toEqual(['guuru-example-1', 'guuru-example-2', 'guuru-example-3']);
  });

  for (const vector of vectors) {
    it(`${vector.id}: exit 0 "valid"; one byte changed: exit 1 "invalid: signature_mismatch"`, async () => {
      const ok = await verifyCli(await argsFor(vector, false));
      expect([ok.code, ok.stdout.trim()]).toEqual([0, 'valid']);
      const bad = await verifyCli(await argsFor(vector, true));
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/^invalid: signature_mismatch: /);
    });
  }
});
