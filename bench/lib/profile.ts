// Where the engine's CPU goes: the Ferry stand-in run under `node --cpu-prof`, its main-thread samples sorted
// into categories by their stack (MD5 of parts, SigV4 hashing, SDK, streams, sockets, file reads, GC, ...),
// plus in-process micro-measurements of the primitives (MD5, SHA-256, reads from the page cache).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GiB, MiB } from './stats.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** main-thread time in samples that were not idle, ms */
  busyMs: number;
  categories: Array<{ name: string; ms: number }>;
  top: Array<{ name: string; ms: number }>;
}

const shortUrl = (url: string) => {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const m = /\/(main|shared|bench|test)\/.*$/.exec(url);
  return m ? m[0].slice(1) : url.replace(/^file:\/\//, '');
};

function categorize(stack: ProfileNode[]): string | null {
  let leaf = stack[0]!.callFrame;
  if (leaf.functionName === '(idle)') return null;
  if (leaf.functionName === '(garbage collector)') return 'garbage collection';
  if (leaf.functionName === '(program)') return 'V8/native, unattributed ("(program)")';
  if (leaf.functionName === '(root)') return null;
  const urls = stack.map((n) => n.callFrame.url);
  const has = (re: RegExp) => urls.some((u) => re.test(u));
  if (has(/node:internal\/modules\//)) return 'start-up: loading and compiling modules';
  if (
    /node:internal\/crypto\/hash/.test(leaf.url) ||
    ((leaf.functionName === 'update' || leaf.functionName === 'digest') && /crypto/.test(leaf.url))
  ) {
    if (has(/fileSource\.ts/)) return 'MD5 of parts (fileSource.md5, Content-MD5)';
    if (has(/signature-v4|hash-node|sha256/)) return 'SigV4 SHA-256 hashing (SDK)';
    return 'other hashing';
  }
  if (has(/jobStore\.ts|node:sqlite/)) return 'job store (SQLite)';
  // a native function (no URL: a binding such as writeBuffer or read) counts where its JS caller is
  const nativeLeaf = !leaf.url;
  if (nativeLeaf) {
    if (leaf.functionName === 'createUnsafeBuffer' || /node:internal\/buffer/.test(stack[1]?.callFrame.url ?? ''))
      return 'buffer allocation';
    const caller = stack.find((n) => n.callFrame.url)?.callFrame;
    if (caller) leaf = caller;
  }
  if (/node:internal\/fs|node:fs/.test(leaf.url) || has(/fileSource\.ts/)) return 'file reads (node:fs)';
  if (/node:net|node:_http|node:internal\/stream_base_commons|node:internal\/http|node:http/.test(leaf.url))
    return 'HTTP and socket writes (node:http, node:net)';
  if (/node:internal\/streams|node:stream/.test(leaf.url)) return 'stream plumbing (node:stream)';
  if (/@smithy|@aws-sdk|fast-xml-parser|strnum/.test(leaf.url)) return 'AWS SDK JavaScript (middleware, signing, XML)';
  if (/\/main\/|\/shared\//.test(leaf.url)) return 'Ferry engine JavaScript';
  if (/^node:/.test(leaf.url)) return `other Node internals`;
  if (nativeLeaf && !leaf.url) return 'native functions (no JS caller)';
  return 'other JavaScript';
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfMs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    // timeDeltas[i] is the time before sample i; attribute the interval after it, as DevTools does
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    selfMs.set(id, (selfMs.get(id) ?? 0) + dt);
  }
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    const stack: ProfileNode[] = [];
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) stack.push(byId.get(n)!);
    const category = categorize(stack);
    if (category === null) continue;
    busyMs += ms;
    categories.set(category, (categories.get(category) ?? 0) + ms);
    const f = stack[0]!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return { busyMs, categories: sorted(categories), top: sorted(functions).slice(0, 15) };
}

export async function readProfileDir(dir: string): Promise<CpuProfile> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return JSON.parse(await readFile(path.join(dir, files[0]!), 'utf8')) as CpuProfile;
}

export interface Micro {
  name: string;
  /** CPU-seconds per GiB of this process (user + sys) */
  cpuSPerGiB: number;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU cost per GiB of the primitives an upload is made of, measured in this process on this machine. */
export async function microBenchmarks(file: string, size: number): Promise<Micro[]> {
  const out: Micro[] = [];
  const bytes = Math.min(size, 512 * MiB);
  const perGiB = (cpu: number) => cpu / (bytes / GiB);
  const buffer = Buffer.alloc(8 * MiB, 7);
  for (const algorithm of ['md5', 'sha256']) {
    const hash = createHash(algorithm);
    const c0 = cpuSeconds();
    for (let done = 0; done < bytes; done += buffer.length) hash.update(buffer);
    hash.digest();
    out.push({ name: `${algorithm.toUpperCase()} of data in memory (node:crypto)`, cpuSPerGiB: perGiB(cpuSeconds() - c0) });
  }
  {
    const fh = await open(file, 'r');
    const chunk = Buffer.allocUnsafe(1 * MiB);
    const c0 = cpuSeconds();
    for (let pos = 0; pos < bytes;) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, bytes - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
    }
    await fh.close();
    out.push({ name: 'FileHandle.read, 1 MiB reads from the page cache (as fileSource.md5 reads)', cpuSPerGiB: perGiB(cpuSeconds() - c0) });
  }
  {
    const c0 = cpuSeconds();
    for await (const _chunk of createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: 256 * 1024 })) {
      // discard
    }
    out.push({
      name: 'createReadStream, 256 KiB chunks from the page cache (as the request body is read)',
      cpuSPerGiB: perGiB(cpuSeconds() - c0),
    });
  }
  {
    const c0 = cpuSeconds();
    for await (const _chunk of createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: 1 * MiB })) {
      // discard
    }
    out.push({ name: 'createReadStream, 1 MiB chunks from the page cache', cpuSPerGiB: perGiB(cpuSeconds() - c0) });
  }
  return out;
}
