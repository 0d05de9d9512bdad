import { readdirSync, readFileSync } from 'node:fs';

/** CPU time used so far, in microseconds: by this process, and by the PostgreSQL server if known. */
export interface CpuReading {
  readonly nodeUs: number;
  readonly serverUs: number | null;
}

const CLOCK_TICK_US = 10_000; // USER_HZ is 100 on Linux

/**
 * utime + stime of a process, the same of its exited children it has waited for (cutime +
 * cstime), and its parent pid, from /proc/<pid>/stat.
 */
const processTimes = (pid: string): { parent: number; us: number; exitedChildrenUs: number } | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      parent: Number(fields[1]),
      us: (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US,
      exitedChildrenUs: (Number(fields[13]) + Number(fields[14])) * CLOCK_TICK_US,
    };
  } catch {
    return null; // gone, or no /proc
  }
};

/**
 * Reads CPU time, so a run can report CPU per event next to throughput: on a shared, busy
 * machine wall-clock rates swing, the CPU an append costs much less. The server's share is
 * the postmaster and its children (backends, WAL writer…), readable for a local server only;
 * a backend that has exited (a pool closing a connection) still counts, in the postmaster's
 * time of waited-for children, so the sum never drops when a connection closes mid-phase.
 */
export class CpuMeter {
  constructor(private readonly postmasterPid: number | null) {}

  read(): CpuReading {
    const own = process.cpuUsage();
    return { nodeUs: own.user + own.system, serverUs: this.serverUs() };
  }

  private serverUs(): number | null {
    if (this.postmasterPid === null) return null;
    let total = 0;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      const times = processTimes(pid);
      if (times && times.parent === this.postmasterPid) total += times.us;
      if (times && Number(pid) === this.postmasterPid) total += times.us + times.exitedChildrenUs;
    }
    return total;
  }
}

/** CPU time one process (a local PostgreSQL backend, say) has used so far, in µs; null if it cannot be read. */
export const processCpuUs = (pid: number): number | null => processTimes(String(pid))?.us ?? null;

/** The pid in a data directory's postmaster.pid, or null when there is none to read. */
export const postmasterPid = (dataDir: string): number | null => {
  try {
    const pid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
};

export const cpuSince = (start: CpuReading, end: CpuReading): CpuReading => ({
  nodeUs: end.nodeUs - start.nodeUs,
  serverUs: start.serverUs === null || end.serverUs === null ? null : end.serverUs - start.serverUs,
});
