/**
 * How a recorded answer or delivery differs from the sandbox's: its JSON fields (by path, with
 * their JSON types), and its headers. Pure functions for `npm run sandbox -- --compare` (compare.ts).
 *
 * @example
 * shapeDifferences('User_Create delivery', { username: 'a' }, { userName: 'a' })
 * // [{ where: 'User_Create delivery', what: 'field "username" (string) is in the recording, not in the sandbox\'s' },
 * //  { where: 'User_Create delivery', what: 'field "userName" (string) is in the sandbox\'s, not in the recording' }]
 */

/** One way the sandbox's choice differs from what the recording saw. */
export interface Difference {
  /** What was compared: `PUT /api/webhook/merge/domain/{domainkey}/event/user_create`, `User_Create delivery`. */
  readonly where: string;
  readonly what: string;
}

/** Every field path of a JSON value with its JSON type; array items share the path `name[]`. */
export function jsonShape(value: unknown, path = '', into = new Map<string, string>()): Map<string, string> {
  const type = jsonType(value);
  if (path !== '') into.set(path, into.has(path) && into.get(path) !== type ? mixed(into.get(path) ?? '', type) : type);
  if (Array.isArray(value)) for (const item of value) jsonShape(item, `${path}[]`, into);
  else if (type === 'object') for (const [key, item] of Object.entries(value as object)) jsonShape(item, path === '' ? key : `${path}.${key}`, into);
  return into;
}

/** The fields one side has and the other lacks (the outermost only), and those whose type differs. */
export function shapeDifferences(where: string, recorded: unknown, sandbox: unknown): Difference[] {
  const [a, b] = [jsonType(recorded), jsonType(sandbox)];
  if (a !== b) return [{ where, what: `the body is ${describe(a)} in the recording, ${describe(b)} in the sandbox's` }];
  const ours = jsonShape(sandbox);
  const theirs = jsonShape(recorded);
  const differences: Difference[] = [];
  const outermost = (path: string, shape: Map<string, string>) => !parents(path).some((parent) => !shape.has(parent));
  for (const [path, type] of theirs) {
    const mine = ours.get(path);
    if (mine === undefined) {
      if (outermost(path, ours)) differences.push({ where, what: `field "${path}" (${type}) is in the recording, not in the sandbox's` });
    } else if (mine !== type) {
      differences.push({ where, what: `field "${path}" is ${describe(type)} in the recording, ${describe(mine)} in the sandbox's` });
    }
  }
  for (const [path, type] of ours) {
    if (!theirs.has(path) && outermost(path, theirs)) differences.push({ where, what: `field "${path}" (${type}) is in the sandbox's, not in the recording` });
  }
  return differences;
}

/** What a comparison went through, and what it found. */
export interface Comparison {
  /** What was compared, in order (`POST /connect/token`, `User_Create delivery`). */
  readonly compared: readonly string[];
  readonly differences: readonly Difference[];
}

/** A body as compared: JSON parsed when the Content-Type says JSON (and it parses), else the text; undefined when empty. */
export function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return undefined;
  if (!/json/i.test(contentType ?? '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export interface HeaderRules {
  /** Headers whose value is compared, not only their presence (lower case). */
  readonly values: readonly string[];
  /** Headers left out altogether: the connection's, a tunnel's, or ones that differ on every request. */
  readonly ignore: (name: string) => boolean;
}

/** Headers one side sends and the other does not, and the values of those in `rules.values` that differ. */
export function headerDifferences(
  where: string,
  recorded: Readonly<Record<string, string>>,
  sandbox: Readonly<Record<string, string>>,
  rules: HeaderRules,
): Difference[] {
  const [theirs, ours] = [lowerCase(recorded, rules), lowerCase(sandbox, rules)];
  const differences: Difference[] = [];
  for (const [name, value] of theirs) {
    const mine = ours.get(name);
    if (mine === undefined) differences.push({ where, what: `header ${name} (${JSON.stringify(value)}) is in the recording, not in the sandbox's` });
    else if (rules.values.includes(name) && normalize(mine) !== normalize(value)) {
      differences.push({ where, what: `header ${name} is ${JSON.stringify(value)} in the recording, ${JSON.stringify(mine)} in the sandbox's` });
    }
  }
  for (const [name, value] of ours) {
    if (!theirs.has(name)) differences.push({ where, what: `header ${name} (${JSON.stringify(value)}) is in the sandbox's, not in the recording` });
  }
  return differences;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value === undefined || value === '') return 'empty';
  return typeof value;
}

function describe(type: string): string {
  if (type === 'empty') return 'empty';
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function mixed(a: string, b: string): string {
  return [...new Set([...a.split('|'), b])].sort().join('|');
}

function parents(path: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < path.length; i++) if (path[i] === '.' || path.startsWith('[]', i)) out.push(path.slice(0, i));
  return out;
}

function lowerCase(headers: Readonly<Record<string, string>>, rules: HeaderRules): Map<string, string> {
  return new Map(Object.entries(headers).flatMap(([name, value]) => (rules.ignore(name.toLowerCase()) ? [] : [[name.toLowerCase(), value] as const])));
}

/** A header value as compared: case and spaces around `;` do not count (`application/json; charset=utf-8`). */
function normalize(value: string): string {
  return value
    .toLowerCase()
    .replace(/\s*;\s*/g, ';')
    .trim();
}
