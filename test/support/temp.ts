/**
 * Test processes leave nothing behind. Everything a test process writes to the temporary
 * directory (its projects, the embedded server, and what the rb processes it starts write there:
 * runRb passes TMPDIR on) lands in one directory of its own, removed when the process ends,
 * however it ends (normal end, failed test, uncaught error, Ctrl-C or SIGTERM).
 *
 * `make test` (test/support/clean-run.ts) sets RB_TEST_RUN, a per-run id that also prefixes the
 * test databases, and checks afterwards that neither files nor databases of its run are left.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Lower-case letters and digits only: it is part of database names. */
export const testRunId = /^[a-z0-9]{1,12}$/.test(process.env.RB_TEST_RUN ?? '') ? process.env.RB_TEST_RUN! : randomBytes(4).toString('hex');

/** This process's share of the run: database names start with `rbt_<run>_<process>_`. */
export const testProcessPrefix = `rbt_${testRunId}_${process.pid.toString(36)}_`;

const root = mkdtempSync(path.join(os.tmpdir(), `rb-test-${testRunId}-`));
// As /tmp is (sticky, writable by all): under root, the embedded server and some rb processes run
// as an unprivileged user with this TMPDIR.
chmodSync(root, 0o1777);
// os.tmpdir() reads TMPDIR on every call: from here on, every temporary file of this process and
// of its children lands under root.
process.env.TMPDIR = root;

const cleanups: (() => void)[] = [];

/** Registers synchronous cleanup for process exit; it runs before root is removed, last first. */
export function onTestExit(cleanup: () => void): void {
  cleanups.push(cleanup);
}

process.on('exit', () => {
  for (const cleanup of cleanups.reverse()) {
    try {
      cleanup();
    } catch (error) {
      console.error(`test cleanup failed: ${(error as Error).message}`);
    }
  }
  rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
});
// Without a listener, a signal ends Node without running 'exit' listeners.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
}

/** A new empty directory under this process's temporary root (removed at exit). */
export function tempDir(prefix = 'dir-'): string {
  return mkdtempSync(path.join(root, prefix));
}

/** Sleeps synchronously (in 'exit' listeners, where nothing asynchronous runs any more). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
