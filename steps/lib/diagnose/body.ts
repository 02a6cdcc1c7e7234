/**
 * Body probes: the bytes checked are not the bytes signed, changed in one of the usual ways
 * between the two. Each probe transforms the body checked; if the signature matches the result,
 * the reverse change happened in transit, in a framework, or when the body was saved.
 */
import type { Candidate } from './types.ts';
import type { VerifyInput } from '../signature/index.ts';

const RAW_BYTES_FIX =
  'Verify the exact bytes received (express.raw() before any JSON parsing, never JSON.stringify(req.body)), and keep saved bodies byte-for-byte.';

/** Candidates for a body that was reformatted, re-serialized, or had its line endings changed. */
export function* bodyCandidates(input: VerifyInput): Generator<Candidate> {
  const body = Buffer.from(input.body);
  const text = body.toString('utf8');
  const withBody = (next: string | Buffer): VerifyInput => ({ ...input, body: Buffer.isBuffer(next) ? next : Buffer.from(next, 'utf8') });

  // Exact, local changes first: a pretty-printer would also "explain" a line-ending change.
  yield {
    code: 'trailing_newline_removed',
    explanation: 'The signature matches the body plus a final newline: the signed body ended with "\\n" and the body checked lost it (trimmed somewhere).',
    fix: 'Do not trim the body; verify the bytes exactly as received.',
    input: withBody(Buffer.concat([body, Buffer.from('\n')])),
  };
  const withoutNewline = /\r?\n$/.exec(text);
  if (withoutNewline) {
    yield {
      code: 'trailing_newline_added',
      explanation: 'The signature matches the body without its final newline: a newline was added after signing (editors, echo and heredocs add one).',
      fix: 'Save bodies without a trailing newline (printf, not echo), or verify the bytes exactly as received.',
      input: withBody(text.slice(0, withoutNewline.index)),
    };
  }
  if (text.includes('\n')) {
    const lfOnly = text.replace(/\r\n/g, '\n');
    if (lfOnly !== text) {
      yield {
        code: 'lf_to_crlf',
        explanation: 'The signature matches the body with LF line endings: the signed body used "\\n" and the body checked has "\\r\\n".',
        fix: 'Keep line endings unchanged (git core.autocrlf, Windows editors and copy-paste convert them).',
        input: withBody(lfOnly),
      };
    }
    const crlf = lfOnly.replace(/\n/g, '\r\n');
    if (crlf !== text) {
      yield {
        code: 'crlf_to_lf',
        explanation: 'The signature matches the body with CRLF line endings: the signed body used "\\r\\n" and the body checked has "\\n".',
        fix: 'Keep line endings unchanged (git core.autocrlf, editors and copy-paste convert them).',
        input: withBody(crlf),
      };
    }
  }

  const parsed = parseJson(text);
  // JSON.parse reads nesting that JSON.stringify cannot write back (it recurses): no JSON probes then.
  const compact = parsed.ok ? stringify(parsed.value) : undefined;
  if (parsed.ok && compact !== undefined) {
    if (compact !== text) {
      yield {
        code: 'body_reserialized',
        explanation:
          'The signature matches JSON.stringify(JSON.parse(body)), not the bytes checked: the body was reformatted after it was signed (or the sender signed a re-serialized copy).',
        fix: RAW_BYTES_FIX,
        input: withBody(compact),
      };
    }
    for (const indent of [2, 4]) {
      const pretty = stringify(parsed.value, indent);
      if (pretty === undefined || pretty === text) continue;
      yield {
        code: 'body_pretty_printed',
        explanation: `The signature matches the body pretty-printed with ${indent}-space indentation: the signed bytes were pretty-printed, the bytes checked are not.`,
        fix: RAW_BYTES_FIX,
        input: withBody(pretty),
      };
    }
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** JSON.stringify(value, null, indent), or undefined when the value nests too deeply for it. */
function stringify(value: unknown, indent?: number): string | undefined {
  try {
    return JSON.stringify(value, null, indent);
  } catch {
    return undefined;
  }
}
