/**
 * A value as one word of a shell command the workbench prints for the user to paste: as it is when
 * that is safe, else in single quotes. A URL with `&` or a folder with a space would otherwise run
 * something else than what the line says.
 *
 * @example
 * shellWord('.workbench/walkthrough/x')             // '.workbench/walkthrough/x'
 * shellWord('http://127.0.0.1:8000/hooks?a=1&b=2')  // "'http://127.0.0.1:8000/hooks?a=1&b=2'"
 */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}
