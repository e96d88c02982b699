// Where the window's main-thread time goes during `npm run bench:ui` (FERRY_BENCH_UI_PROFILE=DIR):
// a V8 CPU profile taken through Playwright's CDP session, summarised as the functions with the
// most self time and the most total time (a function counted once per sample, however deep it recurs).
// Build the renderer unminified first (`npx vite build --minify false`) for readable names.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface PageCpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface PageProfileSummary {
  busyMs: number;
  self: Array<{ name: string; ms: number }>;
  total: Array<{ name: string; ms: number }>;
}

function frameName(node: ProfileNode): string {
  const f = node.callFrame;
  const file = f.url ? (f.url.split('/').pop() ?? '').replace(/\?.*$/, '') : '';
  return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
}

const IDLE = new Set(['(idle)', '(root)', '(program)']);

/** The functions with the most self and total time in `profile` (top `limit` of each). */
export function summarizePageProfile(profile: PageCpuProfile, limit = 25): PageProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busyMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const leaf = byId.get(profile.samples[i]!)!;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (IDLE.has(leaf.callFrame.functionName)) continue;
    busyMs += ms;
    const leafName = frameName(leaf);
    self.set(leafName, (self.get(leafName) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = frameName(byId.get(id)!);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + ms);
    }
  }
  const top = (m: Map<string, number>) =>
    [...m]
      .map(([name, ms]) => ({ name, ms: Math.round(ms) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, limit);
  return { busyMs: Math.round(busyMs), self: top(self), total: top(total) };
}

/** The summary as text lines, for the terminal. */
export function formatPageProfile(title: string, summary: PageProfileSummary): string {
  const lines = [`${title}: ${summary.busyMs} ms busy`, '  self time:'];
  for (const entry of summary.self) lines.push(`    ${String(entry.ms).padStart(6)} ms  ${entry.name}`);
  lines.push('  total time:');
  for (const entry of summary.total) lines.push(`    ${String(entry.ms).padStart(6)} ms  ${entry.name}`);
  return lines.join('\n');
}
