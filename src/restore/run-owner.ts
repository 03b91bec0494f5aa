import { createHash } from 'node:crypto';
import os from 'node:os';
import { processExists } from '@rbsql/runtime/project';

/**
 * Which run of rb, on which machine, made something a restore leaves behind while it works (a
 * work database, a `.partial` dump). The names of those things carry it, so a later run can tell
 * a leftover of a run that is gone (kill -9, a power cut) from the work of a run still going.
 * A process id means something only on its own machine: what another host made is never dropped.
 */
export interface RunOwner {
  /** First 6 hex digits of the SHA-256 of the host name: short enough for a database name. */
  hostTag: string;
  pid: number;
}

export function hostTagOf(hostname: string): string {
  return createHash('sha256').update(hostname).digest('hex').slice(0, 6);
}

export const thisRun: RunOwner = { hostTag: hostTagOf(os.hostname()), pid: process.pid };

/** "<host tag>_<pid>", as it appears in names. */
export function runTag(owner: RunOwner = thisRun): string {
  return `${owner.hostTag}_${owner.pid}`;
}


/**
 * 'gone': made on this machine by a process that no longer runs (safe to remove);
 * 'running': this run or another live process on this machine (leave it);
 * 'other-host': made on another machine, whose processes rb cannot see (leave it, say so).
 */
export function ownerState(owner: RunOwner): 'gone' | 'running' | 'other-host' {
  if (owner.hostTag !== thisRun.hostTag) return 'other-host';
  if (owner.pid === thisRun.pid || processExists(owner.pid)) return 'running';
  return 'gone';
}
