/**
 * Header probes: the digest is right but is written differently from what the scheme expects:
 * hex where base64 belongs (or the reverse), or the wrong prefix (`sha1=` for `sha256=`, none at
 * all, one that should not be there, `v1=` for `v1,`).
 */
import type { Candidate } from './types.ts';
import { headerValue, type Headers, type Verifier, type SignatureHeaderInfo, type VerifyInput } from '../signature/index.ts';

const HEX_TOKEN = /\b[0-9a-fA-F]{64}\b/g;
const BASE64_TOKEN = /[A-Za-z0-9+/]{43}=/g;
// A label before the digest: "sha1=", "v1=", "v1,", "Bearer ", "HMACSHA256 ".
const LABEL = /^[A-Za-z][A-Za-z0-9_-]*(?:[=,:]\s*|\s+)(?=\S)/;

/** Candidates that rewrite the signature header; none when the scheme does not sign into a header. */
export function* headerCandidates(scheme: Verifier, input: VerifyInput): Generator<Candidate> {
  const info = scheme.signatureHeader;
  const value = info === undefined ? undefined : headerValue(input.headers, info.name)?.trim();
  if (info === undefined || value === undefined || value === '') return;
  const withValue = (next: string): VerifyInput => ({ ...input, headers: replaceHeader(input.headers, info.name, next) });

  if (info.encoding === 'base64') {
    const swapped = value.replace(HEX_TOKEN, (hex) => Buffer.from(hex, 'hex').toString('base64'));
    if (swapped !== value) {
      yield {
        code: 'hex_instead_of_base64',
        explanation: `The signature's bytes are right but written in hex, where ${scheme.name} expects base64.`,
        fix: "Encode the digest as base64 (digest('base64')), not hex.",
        input: withValue(swapped),
      };
    }
  } else {
    const swapped = value.replace(BASE64_TOKEN, (b64) => Buffer.from(b64, 'base64').toString('hex'));
    if (swapped !== value) {
      yield {
        code: 'base64_instead_of_hex',
        explanation: `The signature's bytes are right but written in base64, where ${scheme.name} expects hex.`,
        fix: "Encode the digest as hex (digest('hex')), not base64.",
        input: withValue(swapped),
      };
    }
  }

  const entries = info.list ? value.split(' ').filter((entry) => entry !== '') : [value];
  const relabelled = entries.map((entry) => relabel(entry, info)).join(' ');
  if (relabelled !== value) {
    yield {
      code: 'wrong_prefix',
      explanation: `The digest is right but ${describeLabel(entries[0] ?? '', info)}.`,
      fix: info.prefix === '' ? 'Send the bare digest, with no prefix.' : `Write the header as "${info.prefix}<digest>".`,
      input: withValue(relabelled),
    };
  }
}

function relabel(entry: string, info: SignatureHeaderInfo): string {
  if (info.prefix !== '' && entry.startsWith(info.prefix)) return entry;
  const digest = entry.replace(LABEL, '');
  return digest === '' ? entry : `${info.prefix}${digest}`;
}

function describeLabel(entry: string, info: SignatureHeaderInfo): string {
  const label = LABEL.exec(entry)?.[0];
  if (label === undefined) return `the header has no "${info.prefix}" prefix`;
  if (info.prefix === '') return `the header has a "${label}" prefix that ${info.name} does not use`;
  return `the header starts with "${label}" instead of "${info.prefix}"`;
}

function replaceHeader(headers: Headers, name: string, value: string): Headers {
  return { ...headers, [name]: value };
}
