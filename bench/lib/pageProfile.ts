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

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  /** thread time: the CPU the event used */
  tdur?: number;
  args?: { name?: string };
}

/**
 * The renderer main thread's CPU (thread time) by trace event name (Layout, UpdateLayoutTree, Paint,
 * FunctionCall, ...), from a Chromium performance trace. Nested events are each counted: the figures
 * say where the time went, they do not add up to the wall time.
 */
export function summarizeTrace(trace: { traceEvents: TraceEvent[] }, limit = 20): Array<{ name: string; ms: number }> {
  const main = trace.traceEvents.find((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain');
  if (!main) return [];
  const byName = new Map<string, number>();
  for (const event of trace.traceEvents) {
    const time = event.tdur ?? event.dur;
    if (event.ph !== 'X' || event.pid !== main.pid || event.tid !== main.tid || time === undefined) continue;
    byName.set(event.name, (byName.get(event.name) ?? 0) + time / 1000);
  }
  return [...byName]
    .map(([name, ms]) => ({ name, ms: Math.round(ms) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, limit);
}

/** The renderer main thread's tasks by the CPU they used (thread time), not by the wall time they took. */
export interface TaskCpu {
  /** Tasks that used more than 50 ms of CPU: long tasks even on an idle machine. */
  longTasks: number;
  worstMs: number;
  totalMs: number;
}

/**
 * The main thread's tasks (RunTask) by thread time (`tdur`): on a machine shared with other work a
 * task's wall time includes the time it waited for a core, its thread time does not, so these
 * figures compare two builds measured at different loads far better than long tasks do.
 */
export function taskCpu(trace: { traceEvents: TraceEvent[] }): TaskCpu {
  const main = trace.traceEvents.find((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain');
  const result: TaskCpu = { longTasks: 0, worstMs: 0, totalMs: 0 };
  if (!main) return result;
  for (const event of trace.traceEvents) {
    if (event.ph !== 'X' || event.name !== 'RunTask' || event.pid !== main.pid || event.tid !== main.tid) continue;
    const ms = (event.tdur ?? event.dur ?? 0) / 1000;
    result.totalMs += ms;
    result.worstMs = Math.max(result.worstMs, ms);
    if (ms > 50) result.longTasks++;
  }
  result.totalMs = Math.round(result.totalMs);
  result.worstMs = Math.round(result.worstMs);
  return result;
}
