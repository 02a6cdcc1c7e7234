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
  return scanEnvText(text).assignments;
}

/** Text after a quoted value's closing quote (`A="x" trailing`): the line it is on, the variable and that text. */
export interface QuoteTail {
  readonly line: number;
  readonly name: string;
  readonly text: string;
}

/** What one pass over `.env` text finds, each list in line order (env-file.ts refuses on the first of each). */
export interface EnvScan {
  readonly assignments: EnvAssignment[];
  /**
   * Lines that are neither NAME=value, a comment nor blank (`BRACKEN_CLIENT_ID` alone, `KEY: value`):
   * Node's parser takes one, and every line up to the next `=`, as one name, so the next variable is lost.
   */
  readonly stray: { line: number; text: string }[];
  /**
   * Quoted values followed by more than a comment (`A="x" trailing`, `A="x"y"`): Node's parser ends
   * the value at its first closing quote and drops the rest of the line without a word.
   */
  readonly tails: QuoteTail[];
  /**
   * Values that open a quote and never close it (`A="x`): Node's parser keeps the quote as part of
   * the value, or, on the file's last line without a newline, drops the variable altogether.
   */
  readonly unclosed: { line: number; name: string; quote: string }[];
  /**
   * The text's lines with blank and comment lines emptied (not those inside a quoted value), to parse:
   * Node 20's parser takes a line of spaces, or a comment after spaces, as the start of the next
   * name, so the variable on the next line was lost; an empty line it skips.
   */
  readonly lines: string[];
}

/** One pass over `.env` text (see EnvScan). */
export function scanEnvText(text: string): EnvScan {
  const assignments: EnvAssignment[] = [];
  const stray: { line: number; text: string }[] = [];
  const tails: QuoteTail[] = [];
  const unclosed: EnvScan['unclosed'] = [];
  let openQuote: string | undefined;
  let openName = '';
  /** Notes what follows the closing quote at `closeAt` in `line`, unless it is blank or a comment. */
  const noteTail = (line: string, closeAt: number, index: number, name: string) => {
    const tail = line.slice(closeAt + 1).trim();
    if (tail !== '' && !tail.startsWith('#')) tails.push({ line: index + 1, name, text: tail });
  };
  const split = text.split(/\r?\n/);
  // The last line holding each quote: a quote never closed after its line is part of a one-line value, as Node reads it.
  const lastWith = (quote: string) => split.findLastIndex((line) => line.includes(quote));
  const closedLater = { '"': lastWith('"'), "'": lastWith("'"), '`': lastWith('`') };
  const lines = split.map((line, index) => {
    if (openQuote !== undefined) {
      const closeAt = line.indexOf(openQuote);
      if (closeAt >= 0) {
        noteTail(line, closeAt, index, openName);
        openQuote = undefined;
      }
      return line;
    }
    const match = ASSIGNMENT.exec(line);
    if (match?.[1] === undefined) {
      const trimmed = line.replace(/^\uFEFF/, '').trim();
      if (trimmed === '' || trimmed.startsWith('#')) return '';
      stray.push({ line: index + 1, text: trimmed });
      return line;
    }
    assignments.push({ name: match[1], line: index + 1 });
    // A value that opens a quote and does not close it on this line goes on over the next lines.
    // Node 20 trims spaces before a value, Node 22 and later tabs too: to Node 20 `A=\t"x"y` is the
    // unquoted `\t"x"y`, to Node 24 the quoted `x` with `y` dropped. Read as the later ones do, so a
    // line either would misread is refused on both.
    const value = line.slice(line.indexOf('=') + 1).replace(/^[ \t]+/, '');
    const quote = value[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      const closeAt = value.indexOf(quote, 1);
      if (closeAt >= 0) noteTail(value, closeAt, index, match[1]);
      else if (closedLater[quote] > index) {
        openQuote = quote;
        openName = match[1];
      } else unclosed.push({ line: index + 1, name: match[1], quote });
    }
    return line;
  });
  return { assignments, stray, tails, unclosed, lines };
}

/** Each variable set more than once, with the lines that set it; the last line is the one that counts. */
export function repeatedAssignments(assignments: readonly EnvAssignment[]): { readonly name: string; readonly lines: readonly number[] }[] {
  const lines = new Map<string, number[]>();
  for (const { name, line } of assignments) lines.set(name, [...(lines.get(name) ?? []), line]);
  return [...lines].filter(([, at]) => at.length > 1).map(([name, at]) => ({ name, lines: at }));
}
