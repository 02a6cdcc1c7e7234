/**
 * A compressed answer as the client read it. fetch decompresses a `Content-Encoding: gzip` (or
 * deflate, br) answer for its caller, but nock's recorder compresses it again and keeps the
 * compressed bytes as hex, so the redactor would see hex and let a token inside it through. A
 * recording keeps the body decoded instead (JSON as parsed, text as text, other bytes as hex, as
 * nock keeps an uncompressed body), without the Content-Encoding header: a replay answers with
 * the plain body. An encoding the recorder cannot undo is not kept at all: its bytes could hold
 * anything.
 *
 * @example
 * decodedResponse({ ..., response: ['1f8b08...'], rawHeaders: { 'content-encoding': 'gzip' } })
 * // { ..., response: { access_token: '...' }, rawHeaders: {}, responseIsBinary: false }
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { headerRecord, type NockCall } from './calls.ts';

/** A decoded body larger than this is not kept (a small compressed answer can decode to gigabytes). */
const MAX_DECODED_BYTES = 64 * 1024 * 1024;

const DECODERS: Readonly<Record<string, (bytes: Buffer) => Buffer>> = {
  gzip: (bytes) => gunzipSync(bytes, { maxOutputLength: MAX_DECODED_BYTES }),
  'x-gzip': (bytes) => gunzipSync(bytes, { maxOutputLength: MAX_DECODED_BYTES }),
  deflate: (bytes) => inflateSync(bytes, { maxOutputLength: MAX_DECODED_BYTES }),
  br: (bytes) => brotliDecompressSync(bytes, { maxOutputLength: MAX_DECODED_BYTES }),
  identity: (bytes) => bytes,
};

/** `call` with its response decoded when it carried a Content-Encoding; otherwise `call` itself. */
export function decodedResponse(call: NockCall): NockCall {
  const headers = Object.entries(headerRecord(call.rawHeaders));
  const encoding = headers.find(([name]) => name.toLowerCase() === 'content-encoding')?.[1];
  if (encoding === undefined || encoding.trim() === '') return call;
  const rawHeaders = Object.fromEntries(headers.filter(([name]) => name.toLowerCase() !== 'content-encoding'));
  // Content-Encoding lists the codings in the order they were applied: undone last to first.
  const codings = encoding
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim())
    .reverse();
  let bytes: Buffer = Buffer.from((Array.isArray(call.response) ? call.response : [call.response]).map(String).join(''), 'hex');
  try {
    for (const coding of codings) {
      const decode = DECODERS[coding];
      if (decode === undefined) throw new Error(`no decoder for ${coding}`);
      bytes = decode(bytes);
    }
  } catch {
    return {
      ...call,
      rawHeaders,
      response: `(a body sent with Content-Encoding: ${encoding}, which the recorder could not decode: not kept)`,
      responseIsBinary: false,
    };
  }
  return { ...call, rawHeaders, ...asNockKeepsIt(bytes) };
}

/** The body as nock keeps an uncompressed one: JSON parsed, UTF-8 text as a string, other bytes as hex. */
function asNockKeepsIt(bytes: Buffer): { response: unknown; responseIsBinary: boolean } {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return { response: bytes.toString('hex'), responseIsBinary: true };
  try {
    return { response: JSON.parse(text) as unknown, responseIsBinary: false };
  } catch {
    return { response: text, responseIsBinary: false };
  }
}
