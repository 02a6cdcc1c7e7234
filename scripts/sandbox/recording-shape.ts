/**
 * What `npm run sandbox -- --compare` reads from a recording, field by field. The recording's
 * reader checks each call, each delivery's request and about.json as far as a replay needs them
 * (steps/lib/record/recording-problems.ts); a record edited by hand (or a recorder of another
 * version) can still lack a field that only the comparison uses, which would stop it with a
 * TypeError and a stack trace. This names the first such field instead.
 *
 * @example
 * recordingShapeProblem(recording) // 'about.json: recordedAt is missing, not a string'
 */
import type { Recording } from '../../steps/lib/record/index.ts';
import { describeValue, isObject } from '../../steps/lib/core/index.ts';
import { eachProblem, type Fields, fieldsProblem } from './json-fields.ts';

// The reader checked runs, environment and replay as a replay needs them; the comparison also prints when it was made.
const ABOUT: Fields = { recordedAt: 'string' };
const DELIVERY: Fields = { original: 'object' };

/** Why `recording` cannot be compared (the first field that does not fit), or undefined when it can. */
export function recordingShapeProblem(recording: Recording): string | undefined {
  const about: unknown = recording.about;
  if (!isObject(about)) return `about.json is ${describeValue(about)}, not an object`;
  const problem = fieldsProblem('about.json: ', about, ABOUT);
  if (problem !== undefined) return problem;
  return eachProblem('deliveries', recording.deliveries, (delivery, at) => {
    const meta: unknown = delivery.meta;
    if (!isObject(meta)) return `${at} is ${describeValue(meta)}, not an object`;
    return (
      fieldsProblem(`${at}.`, meta, { event: 'string?' }, { optional: true }) ??
      fieldsProblem(`${at}.`, meta, DELIVERY) ??
      fieldsProblem(`${at}.original.`, meta.original as Record<string, unknown>, { json: 'boolean', whitespace: 'boolean' })
    );
  });
}
