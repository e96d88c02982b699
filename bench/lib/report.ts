// Renders a benchmark run as Markdown (docs/benchmarks.md for a full run).
import type { ProfileResult, ResumeResult, Results, RunRecord, ScenarioResult, StartupResult, StoreResult, Timing } from './results.ts';
import { fmt, formatBytes, GiB, median, MiB } from './stats.ts';

export interface Row {
  toolId: string;
  label: string;
  runs: number;
  ok: number;
  wallS: number;
  mibPerS: number;
  filesPerS: number;
  cpuS: number;
  cpuPerGiB: number;
  cpuPer1000Files: number;
  rssMiB: number;
  rssMaxMiB: number;
  serverCpuPerGiB: number;
  serverCpuPer1000Files: number;
  /** far scenarios: median requests per file and connections per run, through the proxy */
  requestsPerFile: number;
  connections: number;
}

export function rowsOf(scenario: ScenarioResult): Row[] {
  const byTool = new Map<string, RunRecord[]>();
  for (const r of scenario.records) {
    if (!byTool.has(r.toolId)) byTool.set(r.toolId, []);
    byTool.get(r.toolId)!.push(r);
  }
  return [...byTool.values()].map((records) => {
    const ok = records.filter((r) => r.ok);
    const wallS = median(ok.map((r) => r.wallS));
    const cpu = ok.map((r) => r.userS + r.sysS);
    return {
      toolId: records[0]!.toolId,
      label: records[0]!.label,
      runs: records.length,
      ok: ok.length,
      wallS,
      mibPerS: median(ok.map((r) => r.bytes / MiB / r.wallS)),
      filesPerS: median(ok.map((r) => r.files / r.wallS)),
      cpuS: median(cpu),
      cpuPerGiB: median(ok.map((r) => (r.userS + r.sysS) / (r.bytes / GiB))),
      cpuPer1000Files: median(ok.map((r) => ((r.userS + r.sysS) / r.files) * 1000)),
      rssMiB: median(ok.map((r) => r.maxRssKiB / 1024)),
      rssMaxMiB: Math.max(...ok.map((r) => r.maxRssKiB / 1024)),
      serverCpuPerGiB: median(ok.map((r) => (r.serverCpuS ?? NaN) / (r.bytes / GiB))),
      serverCpuPer1000Files: median(ok.map((r) => ((r.serverCpuS ?? NaN) / r.files) * 1000)),
      requestsPerFile: median(ok.map((r) => (r.proxy ? r.proxy.requests / r.files : NaN))),
      connections: median(ok.map((r) => r.proxy?.connections ?? NaN)),
    };
  });
}

const isFerry = (id: string) => id === 'ferry' || id === 'ferry-b' || id === 'ferry-engine';

/** The Ferry row the ratios are computed against: the CLI when it ran, else the stand-in. */
export function ferryRow(rows: Row[]): Row | undefined {
  return rows.find((r) => r.toolId === 'ferry') ?? rows.find((r) => r.toolId === 'ferry-engine');
}

const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '–');

/** The link's rate in MiB/s. */
const linkMiBPerS = (s: ScenarioResult) => (s.link ? s.link.bitsPerSecond / 8 / MiB : NaN);

/** At the first row, where the run recorded it (runs before 2026-12-02 read the memory only then). */
function atFirstRow(list: readonly { rssAtFirstRowKiB?: number }[]): string {
  const values = list.map((w) => w.rssAtFirstRowKiB).filter((v): v is number => v !== undefined);
  return values.length ? `; ${fmt(median(values) / 1024, 0)} at the first row` : '';
}

/** The requests a client made, by operation (the median run's counts, summed over its runs' first). */
function requestMix(s: ScenarioResult, toolId: string): string {
  const first = s.records.find((r) => r.toolId === toolId && r.ok && r.proxy);
  if (!first?.proxy) return '–';
  return Object.entries(first.proxy.byOp)
    .sort((a, b) => b[1] - a[1])
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
}

function farTable(s: ScenarioResult): string {
  const rows = rowsOf(s);
  const ferry = ferryRow(rows);
  const small = s.id === 'far-small';
  const link = linkMiBPerS(s);
  const head = small
    ? '| client | files/s | Ferry ÷ client (files/s) | requests per file | connections | wall s | client CPU s per 1,000 files | peak RSS MiB | runs verified |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|'
    : '| client | MiB/s | % of the link | Ferry ÷ client | requests | connections | wall s | client CPU s/GiB | peak RSS MiB | runs verified |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const rel =
      ferry && r !== ferry ? x(small ? ratio(ferry.filesPerS, r.filesPerS) : ratio(ferry.mibPerS, r.mibPerS)) : ferry === r ? '—' : '–';
    const name = isFerry(r.toolId) ? `**${r.label}**` : r.label;
    return small
      ? `| ${name} | ${fmt(r.filesPerS, 0)} | ${rel} | ${fmt(r.requestsPerFile, 2)} | ${fmt(r.connections, 0)} | ${fmt(r.wallS, 2)} | ${fmt(r.cpuPer1000Files, 2)} | ${fmt(r.rssMiB, 0)} | ${r.ok}/${r.runs} |`
      : `| ${name} | ${fmt(r.mibPerS, 1)} | ${pct(r.mibPerS / link)} | ${rel} | ${fmt(r.requestsPerFile, 0)} | ${fmt(r.connections, 0)} | ${fmt(r.wallS, 2)} | ${fmt(r.cpuPerGiB, 2)} | ${fmt(r.rssMiB, 0)} | ${r.ok}/${r.runs} |`;
  });
  const out = [head, ...lines, ''];
  out.push(
    `The link: ${s.link ? `${s.link.bitsPerSecond / 1e6} Mbit/s (${fmt(link, 2)} MiB/s) each way, ${s.link.rttMs} ms more per request and per new connection` : 'unknown'}. ` +
      'Requests and connections are what reached the proxy in a run (median). What each client sent, in its first verified run:',
  );
  out.push('');
  for (const r of rows) out.push(`- ${r.label}: ${requestMix(s, r.toolId)}`);
  return out.join('\n');
}

function scenarioTable(s: ScenarioResult, cores: number): string {
  if (s.id === 'far-big' || s.id === 'far-small') return farTable(s);
  const rows = rowsOf(s);
  const ferry = ferryRow(rows);
  const small = s.id === 'small';
  const head = small
    ? '| client | files/s | MiB/s | Ferry ÷ client (files/s) | wall s | client CPU s per 1,000 files | server CPU s per 1,000 files | peak RSS MiB | runs verified |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|'
    : '| client | MiB/s | Ferry ÷ client | wall s | client CPU s/GiB | server CPU s/GiB | peak RSS MiB | runs verified |\n|---|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const rel =
      ferry && r !== ferry ? x(small ? ratio(ferry.filesPerS, r.filesPerS) : ratio(ferry.mibPerS, r.mibPerS)) : ferry === r ? '—' : '–';
    const name = isFerry(r.toolId) ? `**${r.label}**` : r.label;
    return small
      ? `| ${name} | ${fmt(r.filesPerS, 0)} | ${fmt(r.mibPerS, 1)} | ${rel} | ${fmt(r.wallS, 2)} | ${fmt(r.cpuPer1000Files, 2)} | ${fmt(r.serverCpuPer1000Files, 2)} | ${fmt(r.rssMiB, 0)} | ${r.ok}/${r.runs} |`
      : `| ${name} | ${fmt(r.mibPerS, 1)} | ${rel} | ${fmt(r.wallS, 2)} | ${fmt(r.cpuPerGiB, 2)} | ${fmt(r.serverCpuPerGiB, 2)} | ${fmt(r.rssMiB, 0)} | ${r.ok}/${r.runs} |`;
  });
  const out = [head, ...lines];
  // the server's own cost bounds every client: with `cores` cores and a client that used no CPU at all
  const serverPer = median(rows.map((r) => (small ? r.serverCpuPer1000Files / 1000 : r.serverCpuPerGiB)));
  const aws = rows.find((r) => r.toolId === 'aws');
  if (Number.isFinite(serverPer) && serverPer > 0) {
    const ceiling = cores / serverPer; // files/s or GiB/s
    const ceilingText = small ? `${fmt(ceiling, 0)} files/s` : `${fmt(ceiling * 1024, 0)} MiB/s`;
    const awsRate = aws ? (small ? aws.filesPerS : aws.mibPerS / 1024) : NaN;
    out.push('');
    out.push(
      `The server (radosgw, OSD, mon) used a median ${fmt(small ? serverPer * 1000 : serverPer, 2)} CPU-seconds ${small ? 'per 1,000 files' : 'per GiB'}; ` +
        `from CPU alone, on ${cores} cores, even a client that used no CPU could not exceed about ${ceilingText} here` +
        (Number.isFinite(awsRate) ? ` (${x(ceiling / awsRate)} the AWS CLI's median)` : '') +
        '. This is an upper bound, not a forecast: the server also waits on its disk and the clients on round trips.',
    );
  }
  return out.join('\n');
}

interface Target {
  what: string;
  measured: string;
  met: boolean | null;
  /** how far from the target, in words, when missed */
  short: string;
}

const pct = (v: number) => `${fmt(v * 100, 0)}%`;

function targets(results: Results): Target[] {
  const out: Target[] = [];
  const get = (id: string) => results.scenarios.find((s) => s.id === id);
  const big = get('big');
  const huge = get('huge');
  const small = get('small');
  const bigRows = big ? rowsOf(big) : [];
  const hugeRows = huge ? rowsOf(huge) : [];
  const ferryBig = ferryRow(bigRows);
  const ferryHuge = ferryRow(hugeRows);
  const awsBig = bigRows.find((r) => r.toolId === 'aws');
  const awsHuge = hugeRows.find((r) => r.toolId === 'aws');
  const known = (v: number, test: (v: number) => boolean) => (Number.isFinite(v) ? test(v) : null);
  const peersOf = (rows: Row[]) => rows.filter((r) => !isFerry(r.toolId));
  // issue #14: each file size against the faster peer's throughput and the leaner peer's CPU
  for (const [scenario, rows, ferry] of [
    [big, bigRows, ferryBig],
    [huge, hugeRows, ferryHuge],
  ] as const) {
    if (!scenario || !ferry) continue;
    const size = formatBytes(scenario.bytes);
    const faster = [...peersOf(rows)].sort((a, b) => b.mibPerS - a.mibPerS)[0];
    if (faster) {
      const r = ratio(ferry.mibPerS, faster.mibPerS);
      const met = known(r, (v) => v >= 1.15);
      out.push({
        what: `${size} file: throughput ≥ 1.15x the faster peer's`,
        measured: `${x(r)} (${fmt(ferry.mibPerS)} vs ${faster.label}'s ${fmt(faster.mibPerS)} MiB/s)`,
        met,
        short: met === false ? `${pct(1.15 / r - 1)} more throughput needed` : '',
      });
    }
    const leaner = [...peersOf(rows)].sort((a, b) => a.cpuPerGiB - b.cpuPerGiB)[0];
    if (leaner) {
      const r = ratio(ferry.cpuPerGiB, leaner.cpuPerGiB);
      const met = known(r, (v) => v <= 0.6);
      out.push({
        what: `${size} file: client CPU per GiB ≤ 0.6x the leaner peer's`,
        measured: `${x(r)} (${fmt(ferry.cpuPerGiB, 2)} vs ${leaner.label}'s ${fmt(leaner.cpuPerGiB, 2)} s/GiB)`,
        met,
        short: met === false ? `${fmt(ferry.cpuPerGiB - 0.6 * leaner.cpuPerGiB, 2)} s/GiB over` : '',
      });
    }
  }
  if (big && ferryBig && awsBig) {
    const worst = Math.max(
      ratio(ferryBig.rssMiB, awsBig.rssMiB),
      ferryHuge && awsHuge ? ratio(ferryHuge.rssMiB, awsHuge.rssMiB) : -Infinity,
    );
    const met = known(worst, (v) => v <= 1);
    out.push({
      what: "big files: peak RSS ≤ the AWS CLI's",
      measured:
        `${fmt(ferryBig.rssMiB, 0)} vs ${fmt(awsBig.rssMiB, 0)} MiB (${formatBytes(big.bytes)})` +
        (ferryHuge && awsHuge ? `; ${fmt(ferryHuge.rssMiB, 0)} vs ${fmt(awsHuge.rssMiB, 0)} MiB (${formatBytes(huge!.bytes)})` : ''),
      met,
      short: met === false ? `${fmt(worst, 2)}x the AWS CLI's` : '',
    });
    if (huge && ferryHuge) {
      const growth = ratio(ferryHuge.rssMiB, ferryBig.rssMiB);
      const met2 = known(growth, (v) => v <= 1.1);
      out.push({
        what: `peak RSS flat from ${formatBytes(big.bytes)} to ${formatBytes(huge.bytes)} (within 10%)`,
        measured: `${fmt(ferryBig.rssMiB, 0)} → ${fmt(ferryHuge.rssMiB, 0)} MiB (${x(growth)})`,
        met: met2,
        short: met2 === false ? `grows ${pct(growth - 1)}` : '',
      });
    }
  }
  if (small) {
    const rows = rowsOf(small);
    const ferry = ferryRow(rows);
    const files = small.files.toLocaleString('en-US');
    const fastest = [...peersOf(rows)].sort((a, b) => b.filesPerS - a.filesPerS)[0];
    const rclone = rows.find((r) => r.toolId === 'rclone');
    const aws = rows.find((r) => r.toolId === 'aws');
    if (ferry && fastest) {
      const r = ratio(ferry.filesPerS, fastest.filesPerS);
      const met = known(r, (v) => v >= 1.2);
      out.push({
        what: `${files} small files: files/s ≥ 1.2x the fastest peer's`,
        measured: `${x(r)} (${fmt(ferry.filesPerS, 0)} vs ${fastest.label}'s ${fmt(fastest.filesPerS, 0)} files/s)`,
        met,
        short: met === false ? `${fmt(1.2 / r, 2)}x more files/s needed` : '',
      });
    }
    if (ferry && rclone) {
      const met = known(ratio(ferry.cpuPer1000Files, rclone.cpuPer1000Files), (v) => v <= 1);
      out.push({
        what: `${files} small files: client CPU per 1,000 files ≤ rclone's`,
        measured: `${fmt(ferry.cpuPer1000Files, 2)} vs ${fmt(rclone.cpuPer1000Files, 2)} s (${x(ratio(ferry.cpuPer1000Files, rclone.cpuPer1000Files))})`,
        met,
        short: met === false ? `${fmt(ferry.cpuPer1000Files - rclone.cpuPer1000Files, 2)} s over` : '',
      });
    }
    if (ferry && aws) {
      const r = ratio(ferry.rssMiB, aws.rssMiB);
      const met = known(r, (v) => v <= 1);
      out.push({
        what: `${files} small files: peak RSS ≤ the AWS CLI's`,
        measured: `${fmt(ferry.rssMiB, 0)} vs ${fmt(aws.rssMiB, 0)} MiB (${x(r)})`,
        met,
        short: met === false ? `${fmt(ferry.rssMiB - aws.rssMiB, 0)} MiB over` : '',
      });
    }
  }
  const farBig = get('far-big');
  if (farBig) {
    const rows = rowsOf(farBig);
    const ferry = ferryRow(rows);
    if (ferry) {
      const share = ratio(ferry.mibPerS, linkMiBPerS(farBig));
      const met = known(share, (v) => v >= 0.9);
      out.push({
        what: `far endpoint, ${formatBytes(farBig.bytes)} file: at least 90% of the link's rate`,
        measured: `${pct(share)} (${fmt(ferry.mibPerS)} of ${fmt(linkMiBPerS(farBig), 2)} MiB/s)`,
        met,
        short: met === false ? `${fmt((0.9 - share) * 100, 0)} points` : '',
      });
    }
  }
  const farSmall = get('far-small');
  if (farSmall) {
    const rows = rowsOf(farSmall);
    const ferry = ferryRow(rows);
    const fastest = rows.filter((r) => !isFerry(r.toolId)).sort((a, b) => b.filesPerS - a.filesPerS)[0];
    if (ferry && fastest) {
      const r = ratio(ferry.filesPerS, fastest.filesPerS);
      const met = known(r, (v) => v >= 1.2);
      out.push({
        what: `far endpoint, ${farSmall.files.toLocaleString('en-US')} small files: files/s ≥ 1.2x the fastest peer's`,
        measured: `${x(r)} (${fmt(ferry.filesPerS, 0)} vs ${fastest.label}'s ${fmt(fastest.filesPerS, 0)} files/s)`,
        met,
        short: met === false ? `${fmt(1.2 / r, 2)}x more files/s needed` : '',
      });
    }
  }
  const store = results.store;
  if (store && !store.error) {
    const jobs = store.jobs.toLocaleString('en-US');
    const within = (what: string, values: number[], limitMs: number, cpu?: number[]) => {
      const m = median(values);
      const met = known(m, (v) => v <= limitMs);
      out.push({
        what: `${what} within ${fmt(limitMs, 0)} ms`,
        measured: `${fmt(m, 0)} ms${cpu ? ` (CPU ${fmt(median(cpu), 0)} ms)` : ''}, median of ${values.length}`,
        met,
        short: met === false ? `${fmt(m - limitMs, 0)} ms too slow` : '',
      });
    };
    within(
      `${jobs} jobs: \`ferry jobs --json\``,
      store.jobsJson.map((t) => t.wallMs),
      1000,
      store.jobsJson.map((t) => t.cpuMs),
    );
    within(
      `${jobs} jobs: the engine opens`,
      store.engineOpen.map((t) => t.wallMs),
      500,
      store.engineOpen.map((t) => t.cpuMs),
    );
    within(
      `${jobs} jobs: the window's first paint of the list`,
      store.window.map((w) => w.firstPaintMs),
      1000,
    );
    const grow = ratio(median(store.window.map((w) => w.rssKiB)), median(store.idle.map((w) => w.rssKiB)));
    const met = known(grow, (v) => v <= 1.5);
    out.push({
      what: `${jobs} queued jobs: memory (ferry serve, window open) at most 1.5x idle`,
      measured: `${x(grow)} (${fmt(median(store.window.map((w) => w.rssKiB)) / 1024, 0)} vs ${fmt(median(store.idle.map((w) => w.rssKiB)) / 1024, 0)} MiB)`,
      met,
      short: met === false ? `${fmt(((grow - 1.5) * median(store.idle.map((w) => w.rssKiB))) / 1024, 0)} MiB over` : '',
    });
  }
  const startup = results.startup;
  if (startup && !startup.error) {
    for (const [what, list, limit] of [
      ['`ferry --version`', startup.version, 150],
      ['`ferry jobs` on an empty store', startup.jobsEmpty, 250],
    ] as const) {
      const m = median(list.map((t) => t.wallMs));
      const met = known(m, (v) => v <= limit);
      out.push({
        what: `start-up: ${what} within ${limit} ms`,
        measured: `${fmt(m, 0)} ms (CPU ${fmt(median(list.map((t) => t.cpuMs)), 0)} ms), median of ${list.length}`,
        met,
        short: met === false ? `${fmt(m - limit, 0)} ms too slow` : '',
      });
    }
  }
  const resume = results.resume;
  if (resume && resume.rounds.length > 0) {
    const m = median(resume.rounds.map((r) => r.firstPartMs));
    out.push({
      what: `resume of a job with ${resume.partsHeld.toLocaleString('en-US')} completed parts: first part sent within 500 ms`,
      measured: `${fmt(m, 0)} ms (median of ${resume.rounds.length})`,
      met: m <= 500,
      short: m > 500 ? `${fmt(m - 500, 0)} ms too slow` : '',
    });
  }
  return out;
}

function memoryTable(results: Results): string | null {
  const big = results.scenarios.find((s) => s.id === 'big');
  const huge = results.scenarios.find((s) => s.id === 'huge');
  if (!big || !huge) return null;
  const bigRows = rowsOf(big);
  const hugeRows = rowsOf(huge);
  const lines = hugeRows.map((h) => {
    const b = bigRows.find((r) => r.toolId === h.toolId);
    return `| ${isFerry(h.toolId) ? `**${h.label}**` : h.label} | ${fmt(b?.rssMiB ?? NaN, 0)} | ${fmt(h.rssMiB, 0)} | ${x(ratio(h.rssMiB, b?.rssMiB ?? NaN))} |`;
  });
  return [
    `| client | peak RSS MiB, ${formatBytes(big.bytes)} | peak RSS MiB, ${formatBytes(huge.bytes)} | growth |`,
    '|---|---:|---:|---:|',
    ...lines,
  ].join('\n');
}

function resumeSection(r: ResumeResult): string {
  const out: string[] = [];
  if (r.error) out.push(`**The scenario failed:** ${r.error}\n`);
  out.push(
    `A ${formatBytes(r.partSize * r.partsTotal)} file of ${r.partsTotal.toLocaleString('en-US')} parts of ${formatBytes(r.partSize)} was uploaded by ${r.toolLabel} ` +
      `through the recording proxy, which SIGKILLed the client as soon as the server had acknowledged ${r.partsAcknowledged.toLocaleString('en-US')} parts ` +
      `(${fmt(r.createS, 0)} s). The server then held **${r.partsHeld.toLocaleString('en-US')} parts** of the upload. ` +
      'The data directory was copied at that moment; each measurement restores the copy and starts the client again.',
  );
  if (r.rounds.length > 0) {
    out.push('');
    out.push('| | median | min | max |');
    out.push('|---|---:|---:|---:|');
    const row = (name: string, values: number[]) =>
      `| ${name} | ${fmt(median(values), 0)} | ${fmt(Math.min(...values), 0)} | ${fmt(Math.max(...values), 0)} |`;
    out.push(
      row(
        '**start → first UploadPart request (ms)**',
        r.rounds.map((x) => x.firstPartMs),
      ),
    );
    out.push(
      row(
        'start → first S3 request (ms): process start, engine open, job store',
        r.rounds.map((x) => x.firstRequestMs),
      ),
    );
    out.push(
      row(
        `ListParts (${r.rounds[0]!.listPartsRequests} pages), first request → last answer (ms)`,
        r.rounds.map((x) => x.listPartsMs),
      ),
    );
    out.push(
      row(
        'last ListParts answer → first UploadPart (ms): reconcile, MD5 of the part',
        r.rounds.map((x) => x.afterListMs),
      ),
    );
    const newUploads = r.rounds.filter((x) => x.startedNewUpload).length;
    out.push('');
    out.push(
      `${r.rounds.length} measurements; first part sent: ${[...new Set(r.rounds.map((x) => x.firstPartNumber))].join(', ')}. ` +
        (newUploads > 0
          ? `**${newUploads} of them started a new multipart upload instead of resuming.**`
          : 'None started a new multipart upload.'),
    );
  }
  if (r.final) {
    const f = r.final;
    out.push('');
    out.push(
      f.ok
        ? `The last run was let through to the end: first part after ${fmt(f.firstPartMs, 0)} ms, ${f.partsSent} parts sent, completed and verified (size, ETag${f.contentChecked ? ', content SHA-256' : ''}) ` +
            `after ${fmt(f.wallS, 1)} s, client CPU ${fmt(f.userS + f.sysS, 2)} s, peak RSS ${fmt(f.maxRssKiB / 1024, 0)} MiB.`
        : `The last run, let through to the end, failed: ${f.error ?? ''}`,
    );
  }
  for (const note of r.notes) out.push(`\n${note}`);
  return out.join('\n');
}

function timingRow(name: string, list: readonly Timing[], rss = true): string {
  const wall = list.map((t) => t.wallMs);
  return `| ${name} | ${fmt(median(wall), 0)} | ${fmt(Math.min(...wall), 0)} | ${fmt(Math.max(...wall), 0)} | ${fmt(median(list.map((t) => t.cpuMs)), 0)} | ${rss ? fmt(median(list.map((t) => t.rssKiB)) / 1024, 0) : '–'} |`;
}

function storeSection(s: StoreResult): string {
  const out: string[] = [];
  if (s.error) out.push(`**The scenario failed:** ${s.error}\n`);
  out.push(
    `${s.jobs.toLocaleString('en-US')} queued jobs (${Math.ceil(s.jobs / 1000).toLocaleString('en-US')} folders of up to 1,000 files, as \`ferry upload\` of folders leaves them) against an endpoint that accepts connections and never answers, so that they stay queued while measured.`,
  );
  out.push('');
  out.push('| | wall ms, median | min | max | CPU ms, median | RSS MiB |');
  out.push('|---|---:|---:|---:|---:|---:|');
  if (s.jobsJson.length > 0) out.push(timingRow('`ferry jobs --json` (the whole command; peak RSS)', s.jobsJson));
  if (s.engineOpen.length > 0) out.push(timingRow('`Engine.open` (in its own process; RSS after the open)', s.engineOpen));
  if (s.window.length > 0) {
    const paint = s.window.map((w) => w.firstPaintMs);
    const idle = s.idle.map((w) => w.firstPaintMs);
    out.push(
      `| the window's first paint of the list (\`ferry serve\`, headless Chromium; navigation → first row) | ${fmt(median(paint), 0)} | ${fmt(Math.min(...paint), 0)} | ${fmt(Math.max(...paint), 0)} | – | – |`,
    );
    out.push(
      `| the same, no jobs (navigation → the empty list) | ${fmt(median(idle), 0)} | ${fmt(Math.min(...idle), 0)} | ${fmt(Math.max(...idle), 0)} | – | – |`,
    );
    out.push('');
    out.push(
      // a run from before 2026-12-02 read the memory at the first row only (no rssAtFirstRowKiB): say so
      `Memory of \`ferry serve\` with the window open, ${s.window.some((w) => w.rssAtFirstRowKiB !== undefined) ? 'settled (8 s after the whole list was read)' : 'read at its first row (before the rest of the list was read)'}: **${fmt(median(s.window.map((w) => w.rssKiB)) / 1024, 0)} MiB** with the jobs queued (peak ${fmt(median(s.window.map((w) => w.peakRssKiB)) / 1024, 0)}${atFirstRow(s.window)}), ` +
        `${fmt(median(s.idle.map((w) => w.rssKiB)) / 1024, 0)} MiB idle (no jobs; peak ${fmt(median(s.idle.map((w) => w.peakRssKiB)) / 1024, 0)}${atFirstRow(s.idle)}).`,
    );
  }
  return out.join('\n');
}

function startupSection(s: StartupResult): string {
  const out: string[] = [];
  if (s.error) out.push(`**The scenario failed:** ${s.error}\n`);
  out.push(
    `Each command run ${s.version.length} times, alternated, after one untimed run of each (Node's compile cache warm, as at every start but the first after an install); ` +
      (s.bundled === false
        ? '**bin/ferry.js ran the TypeScript sources** (the one-file build was missing or older than a source: run `npm run build`).'
        : 'bin/ferry.js ran the one-file build of the CLI.'),
  );
  out.push('');
  out.push('| | wall ms, median | min | max | CPU ms, median | peak RSS MiB |');
  out.push('|---|---:|---:|---:|---:|---:|');
  if (s.version.length > 0) out.push(timingRow('`ferry --version`', s.version));
  if (s.jobsEmpty.length > 0) out.push(timingRow('`ferry jobs`, empty store', s.jobsEmpty));
  if (s.bareNode) out.push(timingRow("`node -e ''` (any Node program, for scale)", [s.bareNode]));
  return out.join('\n');
}

function profileSection(p: ProfileResult): string {
  if (p.error) return `The profiling run failed: ${p.error}`;
  const small = p.scenario === 'small';
  const files = p.files ?? 1;
  // per GiB for a big file; per 1,000 files for small ones (where bytes are not what costs)
  const unit = small ? 's per 1,000 files' : 's/GiB';
  const per = (seconds: number) => (small ? (seconds / files) * 1000 : seconds / (p.bytes / GiB));
  const what = small ? `${files.toLocaleString('en-US')} files of ${formatBytes(p.bytes / files)}` : `the ${formatBytes(p.bytes)} file`;
  const out: string[] = [];
  out.push(
    `${p.toolLabel} uploading ${what} once under \`node --cpu-prof\` (not one of the measured runs above): ` +
      `${fmt(p.wallS, 1)} s, client CPU ${fmt(p.cpuS, 2)} s (${fmt(per(p.cpuS), 2)} ${unit}, all threads and the kernel, from GNU time); ` +
      `the profile sees the main thread only: ${fmt(p.summary.busyMs / 1000, 2)} s busy (${fmt(per(p.summary.busyMs / 1000), 2)} ${unit}). ` +
      "V8's sampling profiler counts wall-clock intervals, so a thread that the busy machine preempts keeps accruing time: read the shares, not the absolute seconds.",
  );
  out.push('');
  out.push(`| main thread, by category | s | ${unit} | share |`);
  out.push('|---|---:|---:|---:|');
  for (const c of p.summary.categories) {
    out.push(`| ${c.name} | ${fmt(c.ms / 1000, 2)} | ${fmt(per(c.ms / 1000), 2)} | ${fmt((100 * c.ms) / p.summary.busyMs, 0)}% |`);
  }
  out.push('');
  out.push('<details><summary>Top functions by self time</summary>\n');
  out.push('| function | ms |');
  out.push('|---|---:|');
  for (const f of p.summary.top) out.push(`| \`${f.name.replace(/\|/g, '\\|')}\` | ${fmt(f.ms, 0)} |`);
  out.push('\n</details>');
  if (p.micro.length > 0) {
    out.push('');
    out.push('The primitives on this machine (this process, CPU-seconds per GiB):');
    out.push('');
    out.push('| primitive | CPU s/GiB |');
    out.push('|---|---:|');
    for (const m of p.micro) out.push(`| ${m.name} | ${fmt(m.cpuSPerGiB, 2)} |`);
  }
  return out.join('\n');
}

/**
 * A hand-written analysis (bench/analysis.md) is appended to a full run's report. Its first line may name the
 * run it was written for (`<!-- run: DATE -->`); after a new run the report says that the analysis is older.
 */
function analysisSection(analysis: string, env: Results['env']): string {
  const written = /<!--\s*run:\s*(\S+)\s*-->/.exec(analysis)?.[1];
  const body = analysis.replace(/^<!--.*?-->\s*/s, '').trim();
  const stale =
    written && written !== env.date
      ? `*Written by hand for the run of ${written}, not regenerated: the figures it quotes may differ from the tables above.*\n\n`
      : '*Written by hand (bench/analysis.md) for this run; not regenerated by the benchmark.*\n\n';
  return `${stale}${body}`;
}

export function renderReport(results: Results, analysis?: string): string {
  const { env } = results;
  const out: string[] = [];
  out.push('# Benchmarks: Ferry against the AWS CLI, rclone and lib-storage');
  out.push('');
  out.push(
    `Generated by \`${env.command}\` on ${env.date}.` +
      (env.quick
        ? ' **Quick mode: small sizes and one round, only to show that the benchmark works; the figures say nothing about speed.**'
        : '') +
      ' Regenerate with `npm run bench` (it starts its own Ceph RGW, makes its data, and rewrites this file; about 35 minutes here).',
  );
  out.push('');
  out.push(
    '**How to read it.** Every client uploads the same data to the same server (a single-node Ceph RGW with a bluestore OSD on this machine, over loopback), ' +
      `in alternation, ${env.rounds} round${env.rounds === 1 ? '' : 's'}, each round in a rotated order; figures are medians. ` +
      `On this ${env.cores}-core machine the server itself needs about as much CPU as the client or more (the server CPU columns), so the clients compete with it: **a client that uses less CPU, and asks less of the server, goes faster**. ` +
      'Compare clients by the ratios within this run, never by absolute figures across runs or machines.',
  );
  out.push('');
  out.push(`- Machine: ${env.machine}, ${env.cores} cores, ${fmt(env.memoryGiB, 0)} GiB memory, ${env.os}`);
  out.push(`- Server: ${env.server}`);
  out.push(
    `- Ferry rows: ${env.ferryFromCli ? 'the `ferry` CLI (`node bin/ferry.js`), as a user runs it' : '**the engine stand-in** (`bench/children/ferry-engine.ts`, the engine driven directly in a child process), because `bin/ferry.js` did not exist yet'}`,
  );
  out.push('');
  out.push('| client | version | settings |');
  out.push('|---|---|---|');
  for (const v of env.versions) out.push(`| ${v.tool} | ${v.version} | ${v.settings} |`);

  const t = targets(results);
  if (t.length > 0) {
    out.push('');
    out.push('## Ferry against its targets');
    out.push('');
    out.push('Measured, never asserted: the benchmark reports, it does not fail on a missed target.');
    out.push('');
    out.push('| target | measured | met | short by |');
    out.push('|---|---|:---:|---|');
    for (const row of t)
      out.push(`| ${row.what} | ${row.measured} | ${row.met === null ? '–' : row.met ? 'yes' : '**no**'} | ${row.short} |`);
  }

  for (const s of results.scenarios) {
    out.push('');
    out.push(`## ${s.title}`);
    out.push('');
    out.push(scenarioTable(s, env.cores));
    const failures = s.records.filter((r) => !r.ok);
    if (failures.length > 0) {
      out.push('');
      for (const f of failures)
        out.push(`- ${f.label}, round ${f.round + 1}, failed: ${(f.error ?? '').replace(/\s+/g, ' ').slice(0, 400)}`);
    }
  }

  const mem = memoryTable(results);
  if (mem) {
    out.push('');
    out.push('## Memory: does it grow with the file?');
    out.push('');
    out.push(mem);
  }

  if (results.resume) {
    out.push('');
    out.push('## Resume of a job with thousands of completed parts');
    out.push('');
    out.push(resumeSection(results.resume));
  }

  if (results.store) {
    out.push('');
    out.push(`## A store of ${results.store.jobs.toLocaleString('en-US')} jobs`);
    out.push('');
    out.push(storeSection(results.store));
  }
  if (results.startup) {
    out.push('');
    out.push('## Start-up');
    out.push('');
    out.push(startupSection(results.startup));
  }

  const profiles = results.profiles ?? (results.profile ? [results.profile] : []);
  if (profiles.length > 0) {
    out.push('');
    out.push("## Where Ferry's CPU goes");
    for (const p of profiles) {
      out.push('');
      out.push(`### ${p.scenario === 'small' ? 'Small files' : 'A large file'}`);
      out.push('');
      out.push(profileSection(p));
    }
  }

  const resumeParts = (results.resume?.partsTarget ?? 5000).toLocaleString('en-US');
  const resumePartSize = results.resume?.partSize ?? 5 * MiB;
  const resumeBytes = formatBytes(resumePartSize * (results.resume?.partsTotal ?? 5016));
  if (analysis && !env.quick) {
    out.push('');
    out.push('## Analysis: what Ferry falls short on, and why');
    out.push('');
    out.push(analysisSection(analysis, env));
  }

  out.push('');
  out.push('## Method');
  out.push('');
  out.push(
    [
      '- **Server.** `startRgw({ backend: "bluestore" })` from the test harness: one mon, one OSD on a sparse file, one radosgw, on 127.0.0.1. Bluestore rather than memstore, so that the server returns memory and the figures measure the client. Each run uploads into a fresh bucket, which is emptied and deleted afterwards, then `radosgw-admin gc process --include-all` reclaims the space (untimed).',
      '- **Data.** Deterministic incompressible files from `makeFile` (AES-CTR keystream), made once, read from the page cache by every client alike. The resume file is a sparse file of zeros (its content does not matter to the time to the first part, and it needs no disk).',
      '- **Measures.** Wall time from spawning the client to its exit (client start-up included, as a user sees it). CPU = user + sys of the client\'s process tree and peak RSS = the largest resident set in that tree, both from GNU time (`/usr/bin/time -f "%U %S %M"`, i.e. wait4 rusage). lib-storage runs in its own Node process so that it is measured alone, like the others.',
      "- **Verification.** Every run: exit code 0, and each object's size and ETag against the ETag computed from the local file (MD5, or MD5 of the 16 MiB parts' MD5s and `-N` for multipart uploads, which checks every byte); for directory uploads, exactly one object per file with the right size and MD5. In the first round, each client's upload also has its content SHA-256 compared (GetObject) for at least one object per scenario.",
      `- **Resume.** The ${resumeParts}-part job is real, not simulated: Ferry uploads a file of ${formatBytes(resumePartSize)} parts (the S3 minimum) through a small recording HTTP proxy (\`bench/lib/proxy.ts\`, which forwards requests byte for byte so signatures stay valid) and is SIGKILLed once the server has acknowledged ${resumeParts} parts: a crash in the middle of a long upload (the job store may have missed the last ~100 ms of acknowledgements, which the resume then adopts from ListParts by hashing those parts). The file is sparse, so only the server stores the ${resumeBytes}. The proxy timestamps every S3 request; "first part sent" is the moment the first UploadPart request reaches it, measured from spawning the client. During the measurements the proxy holds UploadPart requests back (and the client is then killed), so the server's state is the same for every measurement; the last run is let through and must complete and verify.`,
      '- **Far endpoint.** This machine has no kernel netem, so a user-space HTTP proxy (`bench/lib/farProxy.ts`) stands between every client and the server: it answers every request 50 ms later than the server did (one round trip), charges a new connection one more round trip before its first request (the TCP handshake), answers `Expect: 100-continue` itself one round trip later (a client that waits for it pays for it), and sends every byte of every connection through one shared link of 200 Mbit/s each way (a pacer that lets each chunk through when the link has carried it, in arrival order). The TCP window is not modelled, so one connection alone can fill the link. It forwards requests byte for byte (signatures stay valid) and counts connections and requests by S3 operation. Every client uses the same settings as over loopback; "% of the link" is throughput against 200 Mbit/s (23.84 MiB/s), HTTP headers not counted.',
      '- **A store of 100,000 jobs.** `bench/children/seed-store.ts` inserts the queued jobs through the job store, one transaction (1,000 files per folder, one 1 KiB file behind all of them, each under its own key), into a data directory whose only endpoint is a black hole (a TCP server that accepts and never answers), so the jobs stay queued while measured. `ferry jobs --json`: the whole command under GNU time, its output piped to the benchmark. Engine open: `Engine.open` with autoStart off, timed inside a fresh process (`bench/children/engine-open.ts`), CPU from process.cpuUsage. First paint: `ferry serve` on the store, its link opened in headless Chromium (1280x800), a MutationObserver installed before the page loads timestamps the first row of the list (performance.now, from navigation start). Memory: VmRSS of the `ferry serve` process 8 s after the window has read the whole list (its "Loading uploads" gone), the window left open (until 2026-12-02 it was read at the first row, before the page had read the list, which flattered builds before 23be76a by 15-40 MiB), against the same on a data directory with the endpoint and no job (idle); runs alternate idle and loaded.',
      "- **Start-up.** `ferry --version` and `ferry jobs` on an empty data directory, alternated, under GNU time, after one untimed run of each so that Node's compile cache is warm; `node -e ''` for scale.",
      '- **Noise.** The machine has noisy neighbours; rounds alternate the clients and rotate their order, and the tables give medians. Raw figures are below.',
    ].join('\n'),
  );

  out.push('');
  out.push('<details><summary>Every run</summary>\n');
  out.push('| scenario | round | client | ok | wall s | user s | sys s | peak RSS MiB | server CPU s | content checked |');
  out.push('|---|---:|---|:---:|---:|---:|---:|---:|---:|:---:|');
  for (const s of results.scenarios) {
    for (const r of s.records) {
      out.push(
        `| ${s.id} | ${r.round + 1} | ${r.label} | ${r.ok ? 'yes' : 'no'} | ${fmt(r.wallS, 2)} | ${fmt(r.userS, 2)} | ${fmt(r.sysS, 2)} | ${fmt(r.maxRssKiB / 1024, 0)} | ${fmt(r.serverCpuS ?? NaN, 2)} | ${r.contentChecked ? 'yes' : ''} |`,
      );
    }
  }
  out.push('\n</details>');
  out.push('');
  return out.join('\n');
}
