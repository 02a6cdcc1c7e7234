/**
 * When a signature does not verify, find out why: try the mistakes people actually make (a
 * re-serialized or pretty-printed body, a lost or added newline, changed line endings, whitespace
 * in the secret, a `whsec_` secret decoded at one end only, hex for base64, a wrong prefix, a stale
 * or future timestamp) and name the one that makes the signature match.
 *
 * A diagnosis only ever names a change that makes a *valid* signature match, so it tells nothing
 * to someone who does not already hold the secret; still, log it rather than send it back to the
 * caller. It costs a few dozen HMACs per failed request, so bodies over `maxBodyBytes` skip the
 * body probes.
 *
 * @example
 * const explain = createMismatchExplainer(findScheme('bracken')!);
 * const why = explain({ body, headers, secrets }); // "The signature matches JSON.stringify(...) ... [body_reserialized]"
 */
import { bodyCandidates } from './body.ts';
import { type DiagnosisBudget, diagnosisBudget } from './budget.ts';
import { headerCandidates } from './header.ts';
import { secretCandidates } from './secret.ts';
import type { Candidate, Diagnosis } from './types.ts';
import { DEFAULT_TOLERANCE_SEC, formatDuration, nowSeconds, type Verifier, type VerifyInput } from '../signature/index.ts';

interface DiagnoseOptions {
  /** Bodies larger than this skip the body probes (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Whether the body probes run: bodies over `maxBodyBytes` get the header and secret probes only. */
function bodySmallEnough(input: VerifyInput, options: DiagnoseOptions): boolean {
  return input.body.length <= (options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
}

/** Why `input` fails to verify under `scheme`, when it is one of the known mistakes; undefined otherwise (or when it verifies). */
export function diagnose(scheme: Verifier, input: VerifyInput, options: DiagnoseOptions = {}): Diagnosis | undefined {
  return carryOut(scheme, input, planFor(scheme, input), options);
}

/** What diagnosing `input` takes: nothing (it verifies, or no known mistake fits its failure), the timestamp's, or the signature's probes. */
type Plan =
  | { readonly probe: 'nothing' }
  | { readonly probe: 'timestamp'; readonly code: 'stale_timestamp' | 'future_timestamp' }
  | { readonly probe: 'signature'; readonly headerOnly: boolean };

function planFor(scheme: Verifier, input: VerifyInput): Plan {
  const result = scheme.verify(input);
  if (result.ok) return { probe: 'nothing' };
  if (result.reason === 'stale_timestamp' || result.reason === 'future_timestamp') return { probe: 'timestamp', code: result.reason };
  if (!['signature_mismatch', 'wrong_scheme', 'malformed_signature', 'malformed_secret'].includes(result.reason)) return { probe: 'nothing' };
  // A header that is not a signature of this scheme is read before the body or the secret, so only
  // a header probe can change that verdict: the others would parse and re-serialize the body for
  // nothing, for a request anyone can send. (Vonage's signature is in the body: it keeps them all.)
  const headerOnly = scheme.signatureHeader !== undefined && (result.reason === 'wrong_scheme' || result.reason === 'malformed_signature');
  return { probe: 'signature', headerOnly };
}

function carryOut(scheme: Verifier, input: VerifyInput, plan: Plan, options: DiagnoseOptions): Diagnosis | undefined {
  if (plan.probe === 'nothing') return undefined;
  if (plan.probe === 'timestamp') return diagnoseTimestamp(scheme, input, plan.code, options);
  return diagnoseSignature(scheme, input, options, plan.headerOnly);
}

/** The body bytes a plan's probes go over (re-serialized, re-hashed): what the listener's budget is charged. */
function bodyBytesProbed(plan: Plan, input: VerifyInput, options: DiagnoseOptions): number {
  if (plan.probe === 'nothing' || (plan.probe === 'signature' && plan.headerOnly)) return 0;
  return bodySmallEnough(input, options) ? input.body.length : 0;
}

/** One line for logs and the listener: the explanation, what to do, and the code; undefined when nothing is known. */
export function explainMismatch(scheme: Verifier, input: VerifyInput, options: DiagnoseOptions = {}): string | undefined {
  const diagnosis = diagnose(scheme, input, options);
  return diagnosis === undefined ? undefined : formatDiagnosis(diagnosis);
}

/**
 * The listener's hook: `explainMismatch` bound to one scheme, within a budget (budget.ts): past it,
 * a line that says the request was not diagnosed.
 */
export function createMismatchExplainer(
  scheme: Verifier,
  options: DiagnoseOptions & { readonly budget?: DiagnosisBudget } = {},
): (input: VerifyInput) => string | undefined {
  const budget = options.budget ?? diagnosisBudget();
  return (input) => {
    const plan = planFor(scheme, input);
    if (plan.probe === 'nothing') return undefined;
    if (!budget.take(bodyBytesProbed(plan, input, options))) return budget.skipped;
    const diagnosis = carryOut(scheme, input, plan, options);
    return diagnosis === undefined ? undefined : formatDiagnosis(diagnosis);
  };
}

/** "<explanation> <fix> [<code>]" */
function formatDiagnosis(diagnosis: Diagnosis): string {
  return `${diagnosis.explanation} ${diagnosis.fix} [${diagnosis.code}]`;
}

/** The first known mistake that makes the signature match; with `headerOnly`, among the header probes only. */
function diagnoseSignature(scheme: Verifier, input: VerifyInput, options: DiagnoseOptions, headerOnly = false): Diagnosis | undefined {
  if (headerOnly) return firstMatch(scheme, [headerCandidates(scheme, input)]);
  return firstMatch(scheme, [
    headerCandidates(scheme, input),
    secretCandidates(scheme, input),
    ...(bodySmallEnough(input, options) ? [bodyCandidates(input)] : []),
  ]);
}

/** The diagnosis of the first candidate, probe after probe, that makes the signature match. */
function firstMatch(scheme: Verifier, probes: readonly Iterable<Candidate>[]): Diagnosis | undefined {
  for (const probe of probes) {
    for (const candidate of probe) {
      if (matches(scheme, candidate)) return { code: candidate.code, explanation: candidate.explanation, fix: candidate.fix };
    }
  }
  return undefined;
}

function matches(scheme: Verifier, candidate: Candidate): boolean {
  if (candidate.keys === undefined) return scheme.verify(candidate.input).ok;
  return scheme.verifyWithKeys?.(candidate.input, candidate.keys).ok ?? false;
}

/** Says how far off the timestamp is, and whether the signature itself holds at the time it was made. */
function diagnoseTimestamp(
  scheme: Verifier,
  input: VerifyInput,
  code: 'stale_timestamp' | 'future_timestamp',
  options: DiagnoseOptions,
): Diagnosis | undefined {
  const timestamp = scheme.timestampOf?.(input);
  if (timestamp === undefined) return undefined;
  const offBy = formatDuration(nowSeconds(input) - timestamp);
  const tolerance = formatDuration(input.toleranceSec ?? DEFAULT_TOLERANCE_SEC);
  const atSigningTime: VerifyInput = { ...input, now: () => timestamp * 1000 };
  const when = code === 'stale_timestamp' ? `${offBy} ago` : `${offBy} in the future`;
  let signature = 'the signature itself is valid';
  if (!scheme.verify(atSigningTime).ok) {
    const other = diagnoseSignature(scheme, atSigningTime, options);
    signature = other === undefined ? 'the signature does not match either' : `the signature does not match either (${other.code}: ${other.explanation})`;
  }
  return {
    code,
    explanation: `The request was signed ${when}, outside the ${tolerance} window, and ${signature}.`,
    fix:
      code === 'stale_timestamp'
        ? `A replayed or long-delayed delivery, or this machine's clock is ahead: check the clock (NTP); to check a captured delivery, run npm run verify with --now ${timestamp}.`
        : `This machine's clock is behind, or the sender's is ahead: check both clocks (NTP); to check a captured delivery, run npm run verify with --now ${timestamp}.`,
  };
}
