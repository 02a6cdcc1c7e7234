/**
 * Field-by-field checks of JSON a person may have edited (the sandbox's store, a recording): each
 * field's kind, and a message naming the first one that does not fit, e.g.
 * `deliveries[2].target is missing, not a string`.
 *
 * @example
 * fieldsProblem('users[0].', { userkey: '7' }, { userkey: 'int' }) // 'users[0].userkey is "7", not a whole number'
 */
import { describeValue, isObject } from '../../steps/lib/core/index.ts';

/** What one field may hold; `?` also allows null; a list of words: one of them. */
export type Kind = 'string' | 'string?' | 'time' | 'time?' | 'int' | 'int?' | 'number' | 'boolean' | 'array' | 'object' | readonly string[];
export type Fields = Readonly<Record<string, Kind>>;

/** The first field of `record` that does not fit `fields`, named after `prefix`; `optional`: absent fields pass. */
export function fieldsProblem(prefix: string, record: Record<string, unknown>, fields: Fields, { optional = false } = {}): string | undefined {
  for (const [name, kind] of Object.entries(fields)) {
    const value = record[name];
    if (optional && value === undefined) continue;
    if (!fits(value, kind)) return `${prefix}${name} is ${describeValue(value)}, not ${expected(kind)}`;
  }
  return undefined;
}

/** The first problem `check` finds among `list`'s items, each named `name[index]`; an item that is not an object is one. */
export function eachProblem<T>(name: string, list: readonly T[], check: (item: Record<string, unknown>, at: string) => string | undefined): string | undefined {
  for (const [index, item] of list.entries()) {
    const at = `${name}[${index}]`;
    const problem = isObject(item) ? check(item, at) : `${at} is ${describeValue(item)}, not an object`;
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function fits(value: unknown, kind: Kind): boolean {
  if (typeof kind !== 'string') return kind.includes(String(value)) && (typeof value === 'string' || typeof value === 'number');
  if (kind.endsWith('?') && value === null) return true;
  switch (kind) {
    case 'string':
    case 'string?':
      return typeof value === 'string';
    case 'time':
    case 'time?':
      return typeof value === 'string' && Number.isFinite(Date.parse(value));
    case 'int':
    case 'int?':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
  }
}

function expected(kind: Kind): string {
  if (typeof kind !== 'string') return `one of ${kind.join(', ')}`;
  const base = {
    string: 'a string',
    time: 'an ISO time',
    int: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    array: 'a list',
    object: 'an object',
  }[kind.replace('?', '') as 'string' | 'time' | 'int' | 'number' | 'boolean' | 'array' | 'object'];
  return kind.endsWith('?') ? `${base} or null` : base;
}
