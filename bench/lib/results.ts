// What a benchmark run produces; rendered by report.ts.
import type { Micro, ProfileSummary } from './profile.ts';

export interface RunRecord {
  scenario: string;
  toolId: string;
  label: string;
  round: number;
  ok: boolean;
  error?: string;
  wallS: number;
  userS: number;
  sysS: number;
  maxRssKiB: number;
  /** CPU-seconds the server's daemons (radosgw, OSD, mon) used while the client ran */
  serverCpuS?: number;
  bytes: number;
  files: number;
  /** the content's SHA-256 was compared too (not only size and ETag) */
  contentChecked: boolean;
  /** far scenarios: what went through the far endpoint's proxy during the run */
  proxy?: { connections: number; requests: number; byOp: Record<string, number> };
}

export interface ScenarioResult {
  id: 'big' | 'small' | 'huge' | 'far-big' | 'far-small';
  title: string;
  bytes: number;
  files: number;
  records: RunRecord[];
  /** far scenarios: the link every client went through */
  link?: { rttMs: number; bitsPerSecond: number };
}

export interface ResumeRound {
  /** ms from spawn to the first S3 request */
  firstRequestMs: number;
  /** ms from spawn to the first UploadPart request reaching the proxy */
  firstPartMs: number;
  listPartsRequests: number;
  /** ms from the first ListParts request to the last ListParts answer */
  listPartsMs: number;
  /** ms from the last ListParts answer to the first UploadPart */
  afterListMs: number;
  firstPartNumber: number;
  startedNewUpload: boolean;
}

export interface ResumeResult {
  toolLabel: string;
  partSize: number;
  partsTotal: number;
  /** the client is killed once this many parts are acknowledged */
  partsTarget?: number;
  /** UploadPart answers the client had received when it was killed */
  partsAcknowledged: number;
  /** parts the server held after the kill (ListParts) */
  partsHeld: number;
  createS: number;
  rounds: ResumeRound[];
  /** other builds of the CLI (run.ts --ferry-cli-b), measured on the same crashed upload in alternation */
  others?: { toolLabel: string; rounds: ResumeRound[] }[];
  final?: {
    ok: boolean;
    error?: string;
    firstPartMs: number;
    wallS: number;
    userS: number;
    sysS: number;
    maxRssKiB: number;
    partsSent: number;
    contentChecked: boolean;
  };
  error?: string;
  notes: string[];
}

export interface ProfileResult {
  /** which scenario's data was uploaded (absent in results saved before small-file profiles existed: big) */
  scenario?: 'big' | 'small';
  toolLabel: string;
  bytes: number;
  files?: number;
  wallS: number;
  cpuS: number;
  summary: ProfileSummary;
  micro: Micro[];
  error?: string;
}

/** One measurement of a command or an operation. */
export interface Timing {
  wallMs: number;
  cpuMs: number;
  rssKiB: number;
}

/** The store-scale scenario: a store of `jobs` queued jobs. */
export interface StoreResult {
  jobs: number;
  /** `ferry jobs --json`, the whole command */
  jobsJson: Timing[];
  /** Engine.open alone, in a process of its own (rssKiB: the process after the open) */
  engineOpen: Timing[];
  /** `ferry serve` + headless Chromium on the store: first paint of the list, RSS of ferry serve then */
  window: { firstPaintMs: number; rssKiB: number; rssAtFirstRowKiB?: number; peakRssKiB: number }[];
  /** the same on a store with the endpoint and no job */
  idle: { firstPaintMs: number; rssKiB: number; rssAtFirstRowKiB?: number; peakRssKiB: number }[];
  /** another build of the CLI (run.ts --ferry-cli-b) on the same stores, in alternation */
  other?: Omit<StoreResult, 'jobs' | 'other' | 'error'> & { label: string };
  error?: string;
}

/** The start-up scenario. */
export interface StartupResult {
  version: Timing[];
  /** `ferry jobs` on an empty store */
  jobsEmpty: Timing[];
  /** `node -e ''`: what any Node program costs to start here */
  bareNode?: Timing;
  /** the one-file build of the CLI ran (false: bin/ferry.js ran the TypeScript sources) */
  bundled?: boolean;
  error?: string;
}

export interface Environment {
  date: string;
  quick: boolean;
  rounds: number;
  machine: string;
  cores: number;
  memoryGiB: number;
  os: string;
  server: string;
  versions: Array<{ tool: string; version: string; settings: string }>;
  /** the Ferry rows came from the CLI (true) or the engine stand-in (false) */
  ferryFromCli: boolean;
  command: string;
}

export interface Results {
  env: Environment;
  scenarios: ScenarioResult[];
  resume?: ResumeResult;
  store?: StoreResult;
  startup?: StartupResult;
  profiles?: ProfileResult[];
  /** older saved results: one profile, of the big file */
  profile?: ProfileResult;
}
