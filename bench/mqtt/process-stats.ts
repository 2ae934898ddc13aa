// What Linux says about a process: resident memory and CPU time from /proc, and our own open
// file limit (idle connections need one descriptor each, in the broker and in a generator).
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes, or undefined when the process is gone. */
export function rssBytes(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(read(`/proc/${pid}/status`) ?? '');
  return match === null ? undefined : Number(match[1]) * 1024;
}

/** User + system CPU time in milliseconds, or undefined when the process is gone. */
export function cpuTimeMs(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name sits in parentheses and may hold spaces: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of proc(5); fields[0] is field 3.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
}

/** The soft limit on open files of this process (children inherit it). */
export function openFileLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(read('/proc/self/limits') ?? '');
  if (match === null || match[1] === 'unlimited') return Number.POSITIVE_INFINITY;
  return Number(match[1]);
}

/** CPU a process used between two samples, as a share of one core. */
export class CpuMeter {
  readonly #pid: number;
  #startCpu: number | undefined;
  #startWall = 0;

  constructor(pid: number) {
    this.#pid = pid;
  }

  start(): void {
    this.#startCpu = cpuTimeMs(this.#pid);
    this.#startWall = performance.now();
  }

  /** Share of one core since start(); NaN if either sample failed. */
  stop(): number {
    const end = cpuTimeMs(this.#pid);
    const wall = performance.now() - this.#startWall;
    if (end === undefined || this.#startCpu === undefined || wall <= 0) return Number.NaN;
    return (end - this.#startCpu) / wall;
  }
}

/** Pids of this process's children whose command name is `comm` (e.g. nats-server). */
export function childPidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (stat === undefined) continue;
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Field 4 (ppid) is fields[1] after the command name.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (name === comm && ppid === process.pid) pids.push(Number(entry));
  }
  return pids;
}
