/**
 * What diagnose() returns, and the candidates its probes propose: "this input would verify if
 * the mistake named here were undone".
 */
import type { VerifyInput } from '../signature/index.ts';

/** Stable codes, one per known mistake (README "Diagnosing a signature mismatch"). */
type DiagnosisCode =
  | 'body_reserialized'
  | 'body_pretty_printed'
  | 'trailing_newline_added'
  | 'trailing_newline_removed'
  | 'crlf_to_lf'
  | 'lf_to_crlf'
  | 'secret_whitespace'
  | 'secret_not_base64_decoded'
  | 'secret_base64_decoded'
  | 'hex_instead_of_base64'
  | 'base64_instead_of_hex'
  | 'wrong_prefix'
  | 'stale_timestamp'
  | 'future_timestamp';

export interface Diagnosis {
  readonly code: DiagnosisCode;
  /** One sentence: what differs between what was signed and what was checked. */
  readonly explanation: string;
  /** One sentence: what to do about it. */
  readonly fix: string;
}

/** A probe's proposal: verify `input` (with `keys`, when given) and, if that matches, report the diagnosis. */
export interface Candidate extends Diagnosis {
  readonly input: VerifyInput;
  /** HMAC key bytes to use instead of `input.secrets` (through `scheme.verifyWithKeys`). */
  readonly keys?: readonly Uint8Array[];
}
