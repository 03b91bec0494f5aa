import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processExists } from '@rbsql/runtime/project';

/**
 * rb's temporary directories are named `rb-<purpose>-<pid>-XXXXXX`, so one killed with kill -9
 * (no `finally` runs) can be told apart: the first directory a later rb makes removes those
 * whose process is gone.
 */
const NAME = /^rb-[a-z]+(?:-[a-z]+)*-(\d+)-[A-Za-z0-9]{6}$/;
let swept = false;


/** Removes rb temporary directories left by processes that no longer run. */
export function removeStaleTempDirs(dir = os.tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match || Number(match[1]) === process.pid || processExists(Number(match[1]))) continue;
    try {
      rmSync(path.join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Someone else's directory we may not remove: leave it.
    }
  }
  return removed;
}

/** A new temporary directory `rb-<purpose>-<pid>-XXXXXX`; the caller removes it when done. */
export function makeTempDir(purpose: string): string {
  if (!swept) {
    swept = true;
    removeStaleTempDirs();
  }
  return mkdtempSync(path.join(os.tmpdir(), `rb-${purpose}-${process.pid}-`));
}
