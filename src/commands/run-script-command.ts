import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Io } from '../io.ts';
import { InterruptedError, UsageError } from '../errors.ts';
import { interruptible, stopSignalOf, type StopSignal } from '../interrupt.ts';
import { guardProduction } from '../target/prod-guard.ts';
import { loadScript } from '../backfill/load-script.ts';
import { createLogger } from '../backfill/logger.ts';
import { runSingleScript } from '../backfill/run-single.ts';
import { batchFlags, DEFAULT_BATCH_SIZE } from '../backfill/batch-settings.ts';
import { jobName, runBatches, type BatchProgress, type BatchRunResult } from '../backfill/run-batches.ts';
import { describeChange, type TableChange } from '../backfill/session.ts';
import { describeScriptSessions, type ScriptSession } from '../backfill/earlier-runs.ts';
import { formatCount, formatDuration, formatProgress, rowsPerSecond } from '../backfill/progress.ts';
import { loadConfig, type Config } from '../config.ts';
import { resolveTarget } from '../target/resolve-target.ts';
import { relativeToProject, targetLabel, type TargetFlags } from './common.ts';
import { progressIntervalMs } from './progress-line.ts';

export interface RunScriptFlags extends TargetFlags {
  dryRun?: boolean;
  batchSize?: string | number;
  pause?: string | number;
  restart?: boolean;
  '--'?: string[];
}

function printChanges(io: Io, changes: TableChange[]): void {
  if (changes.length === 0) io.out('  no rows changed');
  for (const change of changes) io.out(`  ${describeChange(change)}`);
}

/**
 * The script a path names: as the shell sees it (relative to the working directory), else
 * relative to the project root, else inside the backfill folder (`rb run-script x.ts`).
 */
function scriptPath(config: Config, file: string): string {
  const candidates = [path.resolve(file), path.resolve(config.projectDir, file), path.resolve(config.backfillDir, file)];
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0];
}

export async function runScriptCommand(file: string, flags: RunScriptFlags, io: Io): Promise<void> {
  const { batchSize, pauseMs } = batchFlags(flags);
  // The script is loaded before the target is resolved: a bad file fails fast, without
  // starting the embedded server or asking for production confirmation.
  const config = loadConfig();
  const absolute = scriptPath(config, file);
  const shown = relativeToProject(config, absolute);
  const script = await loadScript(absolute, shown);
  const target = await resolveTarget(config, { prod: flags.prod, databaseUrl: flags.databaseUrl, warn: io.err });
  const dryRun = Boolean(flags.dryRun);
  const args = (flags['--'] ?? []).map(String);
  let drewTtyLine = false;
  const log = createLogger((line) => {
    // Clear the batch progress line first so a log line does not land on top of it.
    if (drewTtyLine) process.stderr.write('\r\x1b[K');
    io.err(line);
  });
  const searchPath = [...config.schemas, 'public'].join(', ');
  const onKilledRun = (sessions: ScriptSession[]) => io.err(`waiting for ${describeScriptSessions(sessions, shown)}`);
  const where = targetLabel(target);

  if (script.kind === 'single') {
    if (batchSize !== undefined || pauseMs !== undefined || flags.restart) {
      throw new UsageError(`${shown}: --batch-size, --pause and --restart apply only to batched scripts (export default batchedBackfill({ ... }))`);
    }
    await guardProduction(target, {
      action: `run-script ${shown}${dryRun ? ' --dry-run' : ''}`,
      plan: [dryRun ? `run ${shown} in one transaction, then roll it back (dry run)` : `run ${shown} in one transaction and commit it if the script succeeds`],
      yes: flags.yes,
      confirm: io.confirm,
      announce: io.err,
    });
    // Ctrl-C or SIGTERM (once or twice): the statement running on the server is cancelled and the
    // transaction rolled back before rb exits, as psql does.
    let stoppedBy: StopSignal = 'SIGINT';
    const result = await interruptible(({ signal, now }) => {
      signal.addEventListener('abort', () => {
        stoppedBy = stopSignalOf(signal);
        io.err(`rb: ${stoppedBy}: cancelling the running statement and rolling back`);
      }, { once: true });
      return runSingleScript(target.url, script.run, { file: absolute, shown, args, dryRun, log, searchPath, signal, now, onKilledRun });
    }, { handlesNow: true });
    if (result.stopped) {
      throw new InterruptedError(
        result.committed
          ? `${stoppedBy} arrived as ${shown} committed on ${where}: its changes are kept`
          : `stopped by ${stoppedBy}: ${shown} was cancelled on ${where} and its transaction rolled back; nothing was changed`,
        stoppedBy,
      );
    }
    if (result.committed) io.out(`${shown}: committed on ${where} in ${(result.durationMs / 1000).toFixed(1)}s`);
    else io.out(`Dry run of ${shown} on ${where}: rolled back, nothing was changed. Before the rollback it had changed:`);
    printChanges(io, result.changes);
    for (const [label, count] of Object.entries(result.counts ?? {})) io.out(`  ${label}: ${formatCount(count)} (reported by the script)`);
    return;
  }

  const spec = script.spec;
  const job = jobName(spec, absolute);
  const size = batchSize ?? spec.batchSize ?? DEFAULT_BATCH_SIZE;
  await guardProduction(target, {
    action: `run-script ${shown}${dryRun ? ' --dry-run' : ''}`,
    plan: [
      dryRun
        ? `run the first batch of ${formatCount(size)} rows of ${spec.table} and roll it back (dry run)`
        : `walk ${spec.table} by ${spec.key ?? 'id'} in batches of ${formatCount(size)} rows, committing each batch (checkpoint job "${job}")`,
    ],
    yes: flags.yes,
    confirm: io.confirm,
    announce: io.err,
  });


  const tty = Boolean(process.stderr.isTTY);
  const intervalMs = progressIntervalMs();
  let lastPrinted = performance.now();
  let latest: BatchProgress | undefined;
  const onProgress = (progress: BatchProgress) => {
    latest = progress;
    const now = performance.now();
    if (tty) {
      if (now - lastPrinted < 100) return; // redraw at most 10 times a second
      process.stderr.write(`\r\x1b[K${formatProgress(progress)}`);
      drewTtyLine = true;
    } else {
      if (now - lastPrinted < intervalMs) return;
      io.err(`progress: ${formatProgress(progress)}`);
    }
    lastPrinted = now;
  };

  // First SIGINT/SIGTERM: finish the batch in flight, then stop. A second one cancels the batch's
  // statement on the server and rolls the batch back before rb exits.
  let stoppedBy: StopSignal = 'SIGINT';
  const result: BatchRunResult = await interruptible(async ({ signal, now }) => {
    signal.addEventListener('abort', () => {
      stoppedBy = stopSignalOf(signal);
      io.err(dryRun
        ? `rb: ${stoppedBy}: cancelling the dry run's batch and rolling back`
        : `rb: ${stoppedBy}: stopping after the current batch (send it again to stop at once; the batch in flight is then rolled back)`);
    }, { once: true });
    try {
      return await runBatches(target.url, spec, {
        file: absolute, shown, args, dryRun, log, searchPath, batchSize, pauseMs, restart: flags.restart, onKilledRun,
        signal,
        now,
        onProgress,
        onStart: (start) => {
          const total = `${start.totalIsEstimate ? '~' : ''}${formatCount(start.rowsTotal)}`;
          if (start.resumedFrom) {
            io.err(`Resuming job "${job}" after key ${start.resumedFrom.lastKey}: ${formatCount(start.resumedFrom.rowsDone)} of ${total} rows done by an earlier run`);
          } else {
            io.err(`Starting job "${job}" on ${where}: ${total} rows of ${spec.table} in batches of ${formatCount(start.batchSize)}`);
          }
        },
      });
    } finally {
      // Leave the last state on screen (redraws are throttled, so it may not have been drawn).
      if (drewTtyLine) process.stderr.write(`\r\x1b[K${latest ? formatProgress(latest) : ''}\n`);
    }
  }, { handlesNow: true });

  switch (result.outcome) {
    case 'already-finished':
      io.out(`${shown}: job "${job}" already finished on ${where} at ${result.checkpoint.finishedAt!.toISOString()} (${formatCount(result.checkpoint.rowsDone)} rows); pass --restart to run it again from the first row`);
      return;
    case 'dry-run': {
      const from = result.resumedFrom ? ` (resuming after key ${result.resumedFrom.lastKey})` : '';
      if (!result.range) {
        io.out(`Dry run of ${shown} on ${where}: no rows left to walk${from}; nothing was changed`);
        return;
      }
      io.out(`Dry run of ${shown} on ${where}: ran the first batch${from}, keys ${result.range.from}..${result.range.to} (${formatCount(result.range.rows)} rows), and rolled it back; nothing was changed. It had changed:`);
      printChanges(io, result.changes);
      io.out(`  ${formatCount(result.changed)} rows reported by the batch; the run for real walks ${formatCount(result.rowsLeft)} rows (this batch included) in batches of ${formatCount(size)}`);
      return;
    }
    case 'stopped': {
      const p = result.progress;
      const signal = stoppedBy;
      if (dryRun) {
        throw new InterruptedError(`stopped by ${signal}: the dry run's batch was cancelled on ${where} and rolled back; nothing was changed`, signal);
      }
      const cancelled = result.cancelled ? ` and the batch in flight (keys ${result.cancelled.from}..${result.cancelled.to}) was cancelled and rolled back` : '';
      throw new InterruptedError(
        `stopped by ${signal} after ${p.batches} batch(es)${cancelled}: ${formatCount(p.rowsDone)}/${formatCount(p.rowsTotal)} rows of ${spec.table} done, up to key ${p.lastKey ?? '(none)'}; the checkpoint of job "${job}" is saved: run the same command again to resume`,
        signal,
      );
    }
    case 'finished': {
      const p = result.progress;
      io.out(
        `${shown}: job "${job}" finished on ${where}: ${formatCount(p.rowsThisRun)} rows walked in ${p.batches} batches (${formatCount(p.rowsChanged)} changed) in ${formatDuration(p.elapsedMs)}, ${formatCount(rowsPerSecond(p))} rows/s; slowest batch ${Math.round(p.slowestBatchMs)} ms`,
      );
      if (result.resumedFrom) io.out(`  resumed after key ${result.resumedFrom.lastKey}: ${formatCount(result.resumedFrom.rowsDone)} rows were done by an earlier run`);
      return;
    }
  }
}

