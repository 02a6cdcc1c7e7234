/** A plain node:http client for tests that must control every header (Host, Origin, Sec-Fetch-Site). */
import { request } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body's bytes as received (a download that is not UTF-8). */
  readonly bytes: Buffer;
}

export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: bytes.toString('utf8'), bytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** `send` and parse the JSON body. */
export async function sendJson(
  url: string,
  options: Parameters<typeof send>[1] = {},
): Promise<{ status: number; body: unknown; headers: RawResponse['headers'] }> {
  const response = await send(url, options);
  return { status: response.status, headers: response.headers, body: JSON.parse(response.text) as unknown };
}
