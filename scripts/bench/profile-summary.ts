/**
 * Where a receiver spends its CPU: reads a V8 `.cpuprofile` (from `npm run bench -- --cpu-prof`)
 * and prints the functions with the most self time, and the same grouped by package or file.
 *
 * Run: node --import tsx scripts/bench/profile-summary.ts .workbench/bench/profiles/CPU.<…>.cpuprofile [top]
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT, isMain } from '../../steps/lib/core/index.ts';
import { formatTable } from './table.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface ProfileSummary {
  readonly totalMs: number;
  /** Self time by function, largest first. */
  readonly functions: readonly { readonly name: string; readonly ms: number }[];
  /** Self time by package (node_modules/<name>), project file, or `node:` internals, largest first. */
  readonly groups: readonly { readonly name: string; readonly ms: number }[];
}

/** Self time per function and per group, from the profile's samples. */
function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const groups = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    total += ms;
    const where = location(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${where === '' ? '' : `${where}:${frame.lineNumber + 1}`}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const group = groupOf(frame.url, frame.functionName);
    groups.set(group, (groups.get(group) ?? 0) + ms);
  });
  const sorted = (map: Map<string, number>) => [...map].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total, functions: sorted(functions), groups: sorted(groups) };
}

function location(url: string): string {
  if (url === '') return '';
  if (!url.startsWith('file:')) return url;
  return relative(PROJECT_ROOT, fileURLToPath(url));
}

function groupOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const where = location(url);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  return pkg?.[1] ?? where;
}

if (isMain(import.meta.url)) {
  const [file, top = '25'] = process.argv.slice(2);
  if (file === undefined) {
    console.error('Usage: node --import tsx scripts/bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exitCode = 1;
  } else {
    const summary = summarizeProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
    const n = Number(top);
    const pct = (ms: number) => `${((ms / summary.totalMs) * 100).toFixed(1)}%`;
    console.log(`${file}: ${summary.totalMs.toFixed(0)} ms sampled\n`);
    console.log(
      formatTable(
        ['self time by group', 'ms', 'share'],
        summary.groups.slice(0, n).map((g) => [g.name, g.ms.toFixed(0), pct(g.ms)]),
      ),
    );
    console.log('');
    console.log(
      formatTable(
        ['self time by function', 'ms', 'share'],
        summary.functions.slice(0, n).map((f) => [f.name, f.ms.toFixed(0), pct(f.ms)]),
      ),
    );
  }
}
