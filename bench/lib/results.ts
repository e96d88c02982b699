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
}

export interface ScenarioResult {
  id: 'big' | 'small' | 'huge';
  title: string;
  bytes: number;
  files: number;
  records: RunRecord[];
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
  profiles?: ProfileResult[];
  /** older saved results: one profile, of the big file */
  profile?: ProfileResult;
}
