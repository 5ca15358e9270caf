/** A child server's own figures from /proc (Linux): what bench/load.ts and bench/ab.ts report. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function procRss(pid: number): { rssBytes: number; peakRssBytes: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return { rssBytes: NaN, peakRssBytes: NaN };
  }
}

export function procCpuMs(pid: number): number {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command): utime, stime in clock ticks (100 Hz).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * CPU of every local PostgreSQL process (backends, and through the postmaster's child totals
 * those that exited), in ms; null when none is visible (a remote server). Only differences
 * between two readings mean anything, and only while nothing else uses the database.
 */
export function postgresCpuMs(): number | null {
  let total = 0;
  let found = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes(' (postgres) ')) continue;
      const fields = stat.replace(/^.*\) /s, '').split(' ');
      // utime, stime, cutime, cstime
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
      found = true;
    } catch {
      // The process ended meanwhile.
    }
  }
  return found ? total : null;
}

/**
 * The Node flags `npm start` runs the server with (package.json's start script), so the
 * benchmarks start dist/main.js exactly as a user does.
 */
export function startNodeFlags(root: string): string[] {
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') throw new Error(`package.json start is not "node [flags] dist/main.js": ${start}`);
  return words.slice(1, -1);
}
