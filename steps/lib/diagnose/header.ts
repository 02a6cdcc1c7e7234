/**
 * Header probes: the digest is right but is written differently from what the scheme expects:
 * hex where base64 belongs (or the reverse), or the wrong prefix (`sha1=` for `sha256=`, none at
 * all, one that should not be there, `v1=` for `v1,`).
 */
import type { Candidate } from './types.ts';
import { headerText, quoteSent, reencodeDigests, type Headers, type SignatureHeaderInfo, type Verifier, type VerifyInput } from '../signature/index.ts';

// The digest in the encoding the scheme does not use, and the code naming that mistake.
const WRONG_ENCODING = {
  base64: { written: 'hex', code: 'hex_instead_of_base64' },
  hex: { written: 'base64', code: 'base64_instead_of_hex' },
} as const;
// A label before the digest: "sha1=", "v1=", "v1,", "Bearer ", "HMACSHA256 ".
const LABEL = /^[A-Za-z][A-Za-z0-9_-]*(?:[=,:]\s*|\s+)(?=\S)/;

/** Candidates that rewrite the signature header; none when the scheme does not sign into a header. */
export function* headerCandidates(scheme: Verifier, input: VerifyInput): Generator<Candidate> {
  const info = scheme.signatureHeader;
  const value = info === undefined ? undefined : headerText(input.headers, info.name);
  if (info === undefined || value === undefined) return;
  const withValue = (next: string): VerifyInput => ({ ...input, headers: replaceHeader(input.headers, info.name, next) });

  const { written, code } = WRONG_ENCODING[info.encoding];
  const swapped = reencodeDigests(value, written, info.encoding);
  if (swapped !== value) {
    yield {
      code,
      explanation: `The signature's bytes are right but written in ${written}, where ${scheme.name} expects ${info.encoding}.`,
      fix: `Encode the digest as ${info.encoding} (digest('${info.encoding}')), not ${written}.`,
      input: withValue(swapped),
    };
  }

  const entries = info.list ? value.split(' ').filter((entry) => entry !== '') : [value];
  const relabelledEntries = entries.map((entry) => relabel(entry, info));
  const relabelled = relabelledEntries.join(' ');
  if (relabelled !== value) {
    // Describe the entries that were relabelled: in a list, the first entry may be a correct one.
    const changed = entries.filter((entry, index) => relabelledEntries[index] !== entry);
    yield {
      code: 'wrong_prefix',
      explanation: `The digest is right but ${info.list ? describeListLabels(changed, info) : describeLabel(changed[0] ?? '', info)}.`,
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
  if (info.prefix === '') return `the header has a ${quoteSent(label)} prefix that ${info.name} does not use`;
  return `the header starts with ${quoteSent(label)} instead of "${info.prefix}"`;
}

/** "a signature in the list is written with "v1=" instead of "v1,"": the distinct labels that were replaced (the first 3). */
function describeListLabels(changed: readonly string[], info: SignatureHeaderInfo): string {
  const labels = [...new Set(changed.map((entry) => LABEL.exec(entry)?.[0]))].map((label) => (label === undefined ? 'no prefix' : quoteSent(label)));
  const named = labels.length > 3 ? [...labels.slice(0, 3), `${labels.length - 3} more`] : labels;
  return `a signature in the list is written with ${named.join(' or ')} instead of "${info.prefix}"`;
}

function replaceHeader(headers: Headers, name: string, value: string): Headers {
  return { ...headers, [name]: value };
}
