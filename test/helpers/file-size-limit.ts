/**
 * A command run with a file size limit (RLIMIT_FSIZE, via util-linux `prlimit`), so that a real
 * write fails part-way: a write that crosses the limit is cut short at it, and the next one fails
 * with EFBIG (Node ignores SIGXFSZ, which would otherwise kill it). No fs stubs: the suite shares
 * modules between files (isolate: false), and a stub would not show what the disk holds afterwards.
 */
import { PROJECT_ROOT } from '../../steps/lib/core/config.ts';

/** `command` with every file it writes limited to `bytes`. */
export function withFileSizeLimit(bytes: number, command: readonly string[]): string[] {
  return ['prlimit', `--fsize=${bytes}`, ...command];
}

/** `node --import tsx` running `code` (an ES module; `root` is the project root, `argv` the arguments). */
export function tsxSnippet(code: string, args: readonly string[] = []): string[] {
  const prelude = `const root = ${JSON.stringify(PROJECT_ROOT)}; const argv = process.argv.slice(1);`;
  return [process.execPath, '--import', 'tsx', '--input-type=module', '-e', `${prelude}\n${code}`, ...args];
}
