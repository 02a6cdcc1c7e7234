/**
 * Where each variable in `.env` text is set, by line: Node's parser (util.parseEnv) gives only the
 * values, and a variable set twice keeps the later line's value without a word, so `npm run doctor`
 * names both lines. Lines inside a quoted value that runs over several lines are not assignments.
 *
 * @example
 * envAssignments('A=1\nB="x\ny"\nA=2\n') // [{ name: 'A', line: 1 }, { name: 'B', line: 2 }, { name: 'A', line: 4 }]
 */

/** One `NAME=value` line: the name, and its line number from 1. */
export interface EnvAssignment {
  readonly name: string;
  readonly line: number;
}

/** `NAME=value`, `NAME = value` or `export NAME=value`, as parseEnv reads them: the name and the rest. */
const ASSIGNMENT = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/;

/** Every assignment in `text`, in order (a BOM before the first name is matched by `\s*`). */
export function envAssignments(text: string): EnvAssignment[] {
  const assignments: EnvAssignment[] = [];
  let openQuote: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (openQuote !== undefined) {
      if (line.includes(openQuote)) openQuote = undefined;
      return;
    }
    const match = ASSIGNMENT.exec(line);
    if (match?.[1] === undefined) return;
    assignments.push({ name: match[1], line: index + 1 });
    // A value that opens a quote and does not close it on this line goes on over the next lines.
    const value = match[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote)) openQuote = quote;
  });
  return assignments;
}

/** Each variable set more than once, with the lines that set it; the last line is the one that counts. */
export function repeatedAssignments(assignments: readonly EnvAssignment[]): { readonly name: string; readonly lines: readonly number[] }[] {
  const lines = new Map<string, number[]>();
  for (const { name, line } of assignments) lines.set(name, [...(lines.get(name) ?? []), line]);
  return [...lines].filter(([, at]) => at.length > 1).map(([name, at]) => ({ name, lines: at }));
}
