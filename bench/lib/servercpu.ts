// CPU-seconds used by the S3 server's daemons (radosgw, ceph-osd, ceph-mon), read from /proc/PID/stat before
// and after a run: on a 2-core machine the server's cost per GiB (or per file) bounds what any client can do.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

let ticksPerSecond = 0;
function clockTicks(): number {
  if (ticksPerSecond === 0) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function daemonPids(serverDir: string): number[] {
  try {
    return readFileSync(path.join(serverDir, 'pids'), 'utf8')
      .split('\n')
      .map((line) => Number(line.trim().split(/\s+/)[1]))
      .filter((pid) => Number.isInteger(pid) && pid > 1);
  } catch {
    return [];
  }
}

/** utime + stime of the server's daemons, in seconds (NaN if /proc cannot be read). */
export function serverCpuSeconds(serverDir: string): number {
  const pids = daemonPids(serverDir);
  if (pids.length === 0) return NaN;
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // fields after "pid (comm) ": state is field 3; utime and stime are fields 14 and 15
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return NaN;
    }
  }
  return ticks / clockTicks();
}
