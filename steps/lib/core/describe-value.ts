/**
 * A value of JSON a person may have edited, as an error message names it: `missing`, `null`,
 * `a list`, `an object`, or its JSON shortened to 40 characters.
 *
 * @example
 * `runs is ${describeValue(undefined)}, not a list` // 'runs is missing, not a list'
 * describeValue('7')                                // '"7"'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
