import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { RbError } from '../errors.ts';

const STALE_MS = 120_000;

/**
 * Serialises initdb/start between rb processes that share one data directory
 * (mkdir is atomic; a lock older than two minutes is taken to be left by a killed process).
 */
export async function withServerLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(root), { recursive: true });
  const lock = `${root}.lock`;
  const deadline = Date.now() + STALE_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // the lock vanished between mkdir and stat: try again
      }
      if (Date.now() > deadline) throw new RbError(`timed out waiting for ${lock}; remove it if no rb command is running`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
